"""The stale-transcode sweep: a running transcode keeps its heartbeat, a dead one is
queued again, three attempts are the limit, and two runs of one recording never crash
on the renditions' unique labels."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from video_tutorials import transcode_jobs, transcoding
from video_tutorials.models import Recording, RecordingAsset

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """The broker, as a list: what was queued (nothing runs)."""
    calls: list[tuple] = []
    monkeypatch.setattr("core.tasks.enqueue", lambda task, *args: calls.append(args))
    return calls


def make_recording(*, status="processing", attempts=0, stale_minutes=None) -> Recording:
    recording = Recording.objects.create(
        title="stale", status=status, original="recordings/stale/original.webm", transcode_attempts=attempts
    )
    if stale_minutes is not None:
        age_recording(recording, minutes=stale_minutes)
    return recording


def age_recording(recording: Recording, *, minutes: float) -> None:
    Recording.objects.filter(pk=recording.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes))


def test_sweep_gives_up_after_three_attempts_and_requeues_the_rest(settings, queued):
    stale = settings.TRANSCODE_STALE_MINUTES + 1
    exhausted = make_recording(attempts=3, stale_minutes=stale)
    dead_worker = make_recording(attempts=1, stale_minutes=stale)
    never_queued = make_recording(status="uploaded", attempts=0, stale_minutes=stale)
    running = make_recording(attempts=1, stale_minutes=1)

    assert sorted(transcode_jobs.transcodes_sweep_stale()) == sorted([dead_worker.pk, never_queued.pk])
    assert sorted(queued) == sorted([(dead_worker.pk,), (never_queued.pk,)])
    exhausted.refresh_from_db()
    assert exhausted.status == "failed" and exhausted.error == "Transcoding did not finish after 3 attempts."
    running.refresh_from_db()
    assert running.status == "processing"
    assert transcode_jobs.transcodes_sweep_stale() == []  # the re-queued ones are fresh again; failed stays failed


def test_retry_after_the_sweep_gave_up_starts_a_fresh_count(admin_client, settings, queued):
    recording = make_recording(status="failed", attempts=3, stale_minutes=settings.TRANSCODE_STALE_MINUTES + 1)
    response = admin_client.post(f"/api/recordings/{recording.recording_id}/retry/")
    assert response.status_code == 200, response.content
    assert queued == [(recording.pk,)]
    recording.refresh_from_db()
    assert recording.transcode_attempts == 0 and recording.status == "uploaded"
    assert transcode_jobs.transcodes_sweep_stale() == []  # retried just now: not stale
    age_recording(recording, minutes=settings.TRANSCODE_STALE_MINUTES + 1)  # the queued task was lost
    assert transcode_jobs.transcodes_sweep_stale() == [recording.pk]  # queued again, not failed


def test_a_transcode_that_reports_progress_is_not_swept_while_it_runs(monkeypatch, settings, queued):
    recording = make_recording(status="uploaded")
    swept = []

    def long_transcode(source, workdir, info, *, on_progress, declared_duration=None):
        # Over an hour into the run: its start is older than the sweep's cutoff...
        age_recording(recording, minutes=settings.TRANSCODE_STALE_MINUTES + 5)
        on_progress(60)  # ...but ffmpeg still reports progress.
        swept.extend(transcode_jobs.transcodes_sweep_stale())
        return []

    monkeypatch.setattr(transcoding, "probe", lambda path: transcoding.ProbeResult(duration=7200.0, has_audio=True))
    monkeypatch.setattr(transcoding, "transcode", long_transcode)
    transcode_jobs.recording_transcode(recording_pk=recording.pk)
    assert swept == [] and queued == []
    recording.refresh_from_db()
    assert recording.status == "ready" and recording.transcode_attempts == 1


def test_ffmpeg_output_without_a_duration_still_beats(monkeypatch):
    """No duration (a stream that does not say), so no percentage: the heartbeat goes on."""
    monkeypatch.setattr(transcoding, "HEARTBEAT_SECONDS", 0)
    beats = []
    command = ["sh", "-c", "for i in 1 2 3; do echo out_time_us=N/A; echo progress=continue; done"]
    transcoding._run_with_progress(command, None, beats.append)
    assert beats == [0, 0, 0]


@pytest.mark.django_db(transaction=True)
def test_two_runs_replacing_renditions_at_once_leave_one_set(monkeypatch, tmp_path, settings):
    """A redelivered task and a sweep re-queue can overlap. On PostgreSQL, without the row
    lock, the second run's DELETE missed the first run's new rows and its INSERT hit
    ``recording_asset_unique_label``."""
    recording = make_recording()

    def outputs(run: str) -> list[transcoding.Output]:
        folder = tmp_path / run
        folder.mkdir()
        result = []
        for kind, label, mime in [("video", "240p", "video/mp4"), ("audio", "audio", "audio/webm")]:
            path = folder / f"{label}.bin"
            path.write_bytes(run.encode())
            result.append(transcoding.Output(kind, label, path, mime))
        return result

    first_inserted, release_first = threading.Event(), threading.Event()
    real_bulk_create = RecordingAsset.objects.bulk_create

    def bulk_create_holding_the_first_transaction(objs, *args, **kwargs):
        created = real_bulk_create(objs, *args, **kwargs)
        if not first_inserted.is_set():
            first_inserted.set()
            release_first.wait(10)  # the first run's rows are written, not yet committed
        return created

    monkeypatch.setattr(RecordingAsset.objects, "bulk_create", bulk_create_holding_the_first_transaction)
    errors = []

    def run(name: str) -> None:
        try:
            transcode_jobs.assets_replace(recording=recording, outputs=outputs(name), duration=3.0)
        except Exception as exc:  # noqa: BLE001  (reported to the test below)
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert first_inserted.wait(10)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(0.5)  # the second run now waits for the first to commit
    release_first.set()
    first.join(20)
    second.join(20)
    assert errors == []
    assets = RecordingAsset.objects.filter(recording=recording)
    assert sorted(assets.values_list("label", flat=True)) == ["240p", "audio"]
    assert {(settings.MEDIA_ROOT / a.file.name).read_bytes() for a in assets} == {b"second"}
    on_disk = {str(p.relative_to(settings.MEDIA_ROOT)) for p in settings.MEDIA_ROOT.rglob("*.bin")}
    assert on_disk == {a.file.name for a in assets}  # the first run's files went with its rows
