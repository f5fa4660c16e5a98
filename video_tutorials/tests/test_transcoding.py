"""The transcoding task end to end with real ffmpeg: progress over the websocket,
idempotent re-runs, failures kept, retry, the stale sweep."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from conftest import ws_connect
from video_tutorials import tasks, transcode_jobs
from video_tutorials.models import Recording, RecordingAsset

from .conftest import ffmpeg_run, upload

pytestmark = [pytest.mark.ffmpeg, pytest.mark.django_db]


def test_rerunning_the_task_replaces_renditions_and_deletes_old_files(
    admin_client, media_dir, settings, django_capture_on_commit_callbacks
):
    upload(admin_client, media_dir)
    recording = Recording.objects.get()
    first_files = set(recording.assets.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.transcode_recording.delay(recording.pk, force=True).get() == "ready"
    assets = RecordingAsset.objects.filter(recording=recording)
    assert assets.count() == 4
    assert first_files.isdisjoint(set(assets.values_list("file", flat=True)))
    assert not any((settings.MEDIA_ROOT / name).exists() for name in first_files)
    video = assets.get(label="240p")
    assert video.height == 240 and 0 < video.bitrate_kbps <= 300  # the cap is the rung's total, audio included


def test_ladder_never_upscales(admin_client, media_dir, settings):
    settings.TRANSCODE_LADDER = ["720:1500", "1080:3000"]
    upload(admin_client, media_dir)  # a 360p source
    assets = Recording.objects.get().assets.filter(kind="video")
    assert [(a.label, a.height) for a in assets] == [("360p", 360)]


@pytest.mark.django_db(transaction=True)
def test_progress_reaches_admins_over_the_websocket(admin_user, media_dir, settings):
    from accounts.services import tokens_for
    from core.asgi import application

    recording = Recording.objects.create(title="ws", status=Recording.Status.UPLOADED)
    with open(media_dir / "lesson.webm", "rb") as handle:
        from django.core.files import File

        recording.original.save("lesson.webm", File(handle))
    token = tokens_for(user=admin_user)["access"]
    url = f"/ws/recordings/{recording.recording_id}/?token={token}"

    async def watch():
        communicator = WebsocketCommunicator(application, url, headers=[(b"origin", b"http://localhost")])
        connected, _ = await ws_connect(communicator)
        assert connected
        first = await communicator.receive_json_from()
        assert first["event"] == "status" and first["status"] == "uploaded"
        from channels.db import database_sync_to_async

        await database_sync_to_async(transcode_jobs.recording_transcode)(recording_pk=recording.pk)
        events = []
        while not await communicator.receive_nothing(timeout=0.2):
            events.append(await communicator.receive_json_from())
        await communicator.disconnect()
        return events

    events = async_to_sync(watch)()
    assert events[0]["event"] == "started" and events[-1] == {
        "event": "ready",
        "recording_id": recording.recording_id,
        "status": "ready",
        "progress": 100,
        "error": "",
    }
    percents = [e["progress"] for e in events if e["event"] == "progress"]
    assert percents == sorted(percents)


@pytest.mark.django_db(transaction=True)
def test_students_cannot_watch_transcode_progress(student, media_dir):
    from accounts.services import tokens_for
    from core.asgi import application

    recording = Recording.objects.create(title="ws")

    async def try_connect(url):
        communicator = WebsocketCommunicator(application, url, headers=[(b"origin", b"http://localhost")])
        connected, code = await ws_connect(communicator)
        await communicator.disconnect()
        return connected, code

    token = tokens_for(user=student)["access"]
    assert async_to_sync(try_connect)(f"/ws/recordings/{recording.recording_id}/?token={token}") == (False, 4403)
    assert async_to_sync(try_connect)(f"/ws/recordings/{recording.recording_id}/")[0] is False


def test_a_failed_transcode_keeps_the_error_and_can_be_retried(admin_client, media_dir, settings, monkeypatch):
    settings.FFMPEG_BINARY = "/bin/false"
    response = upload(admin_client, media_dir)
    # /bin/false also fails the integrity check at upload: a clear 400, nothing stored.
    assert response.status_code == 400
    settings.FFMPEG_BINARY = ""
    upload(admin_client, media_dir)
    recording = Recording.objects.get()
    monkeypatch.setattr("video_tutorials.transcoding.ffmpeg_binary", lambda: "/bin/false")
    tasks.transcode_recording.delay(recording.pk, force=True).get()  # an explicit re-transcode
    recording.refresh_from_db()
    assert recording.status == "failed" and recording.error
    assert recording.assets.filter(kind="video").count() == 2  # the last good renditions are not lost
    monkeypatch.undo()
    response = admin_client.post(f"/api/recordings/{recording.recording_id}/retry/")
    assert response.status_code == 200 and response.json()["data"]["status"] == "ready"
    assert admin_client.post(f"/api/recordings/{recording.recording_id}/retry/").status_code == 400  # not failed


def test_sweep_requeues_stale_transcodes(admin_client, media_dir, settings):
    from datetime import timedelta

    from django.utils import timezone

    upload(admin_client, media_dir)
    recording = Recording.objects.get()
    Recording.objects.filter(pk=recording.pk).update(
        status="processing", updated_at=timezone.now() - timedelta(minutes=settings.TRANSCODE_STALE_MINUTES + 1)
    )
    assert tasks.sweep_stale_transcodes.delay().get() == [recording.pk]
    recording.refresh_from_db()
    assert recording.status == "ready"


def test_lesson_media_endpoint_attaches_a_video_to_a_lesson(admin_client, student_client, media_dir, lesson):
    with open(media_dir / "lesson.webm", "rb") as handle:
        response = admin_client.post(
            "/api/admin/content/lesson-media/",
            {"lesson": lesson.lesson_id, "video_file": handle, "language": "en"},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    video = response.json()["data"]
    assert video["status"] == "ready" and video["video_url"].endswith("360p.mp4") and video["duration"] > 2
    assert Recording.objects.get().lesson == lesson
    with open(media_dir / "lesson.webm", "rb") as handle:
        denied = student_client.post(
            "/api/admin/content/lesson-media/", {"lesson": lesson.lesson_id, "video_file": handle}, format="multipart"
        )
    assert denied.status_code == 403


def test_channel_layer_group_gets_progress_events(admin_client, media_dir):
    layer = get_channel_layer()
    upload(admin_client, media_dir)
    recording = Recording.objects.get()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"recording.{recording.recording_id}", channel)
    transcode_jobs.recording_transcode(recording_pk=recording.pk, force=True)
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "recording.progress" and message["payload"]["event"] == "started"


def test_every_rung_stays_under_its_total_cap_and_records_its_duration(admin_client, tmp_path):
    """A busy source (noise) makes x264 spend all it may: the cap, not the content, limits it."""
    source = tmp_path / "busy.webm"
    ffmpeg_run(
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=15:duration=4,noise=alls=40:allf=t",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
        "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2M",
        "-c:a", "libopus", "-shortest", str(source),
    )  # fmt: skip
    with open(source, "rb") as handle:
        response = admin_client.post("/api/upload/", {"video_file": handle, "title": "Busy"}, format="multipart")
    assert response.status_code == 201, response.content
    recording = Recording.objects.get()
    caps = {"240p": 300, "360p": 600}
    videos = {a.label: a for a in recording.assets.filter(kind="video")}
    assert set(videos) == set(caps)
    for label, cap in caps.items():
        assert cap * 0.6 <= videos[label].bitrate_kbps <= cap, (label, videos[label].bitrate_kbps)
        assert videos[label].duration == pytest.approx(4, abs=0.3)
    audio = recording.assets.get(kind="audio")
    assert audio.duration == pytest.approx(4, abs=0.3) and 0 < audio.bitrate_kbps <= 40
    recording.is_published = True
    recording.save()
    detail = admin_client.get(f"/api/recordings/{recording.recording_id}/").json()["data"]
    assert [(r["rung"], r["duration"]) for r in detail["renditions"]] == [
        ("240p", videos["240p"].duration),
        ("360p", videos["360p"].duration),
    ]
    assert detail["audio"]["duration"] == audio.duration


@pytest.fixture
def progress_seen(monkeypatch) -> list[int]:
    seen: list[int] = []
    real_push = transcode_jobs.progress_push

    def push(*, recording, event="progress"):
        if event == "progress":
            seen.append(recording.progress)
        real_push(recording=recording, event=event)

    monkeypatch.setattr(transcode_jobs, "progress_push", push)
    return seen


def test_a_recorder_webm_without_duration_uses_the_declared_one(admin_client, media_dir, progress_seen):
    """Chrome's MediaRecorder writes no duration: ffprobe finds none."""
    from video_tutorials import transcoding

    assert transcoding.probe(media_dir / "recorder.webm").duration is None
    response = upload(admin_client, media_dir, name="recorder.webm", duration="3.0")
    assert response.status_code == 201, response.content
    recording = Recording.objects.get()
    assert recording.status == "ready" and recording.duration == pytest.approx(3.0, abs=0.2)
    assert max(progress_seen) > 0  # a percentage, not only heartbeats
    for asset in recording.assets.exclude(kind="poster"):
        assert asset.bitrate_kbps > 0 and asset.duration == pytest.approx(3.0, abs=0.3), asset.label


def test_a_recorder_webm_with_no_duration_at_all_is_measured_on_the_outputs(admin_client, media_dir):
    response = upload(admin_client, media_dir, name="recorder.webm")
    assert response.status_code == 201, response.content
    recording = Recording.objects.get()
    assert recording.status == "ready" and recording.duration == pytest.approx(3.0, abs=0.3)
    for asset in recording.assets.exclude(kind="poster"):
        assert asset.bitrate_kbps > 0 and asset.duration == pytest.approx(3.0, abs=0.3), asset.label


def test_a_transcode_whose_ffmpeg_cannot_run_fails_and_keeps_the_error(admin_client, media_dir, monkeypatch):
    upload(admin_client, media_dir)
    recording = Recording.objects.get()
    monkeypatch.setattr("video_tutorials.transcoding.ffmpeg_binary", lambda: "/nonexistent/ffmpeg")
    assert tasks.transcode_recording.delay(recording.pk, force=True).get() == "failed"
    recording.refresh_from_db()
    assert recording.status == "failed" and "/nonexistent/ffmpeg" in recording.error


def test_a_transcode_whose_ffprobe_hangs_fails_and_keeps_the_error(admin_client, media_dir, monkeypatch):
    import subprocess

    upload(admin_client, media_dir)
    recording = Recording.objects.get()

    def hung(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs.get("timeout"))

    monkeypatch.setattr("video_tutorials.transcoding.subprocess.run", hung)
    assert tasks.transcode_recording.delay(recording.pk, force=True).get() == "failed"
    recording.refresh_from_db()
    assert recording.error == "ffprobe did not finish within 120 s."


def test_a_redelivered_task_leaves_a_ready_published_recording_alone(admin_client, media_dir, monkeypatch):
    upload(admin_client, media_dir)
    recording = Recording.objects.get()
    assert admin_client.post(f"/api/recordings/{recording.recording_id}/publish/").status_code == 200
    files = sorted(recording.assets.values_list("file", flat=True))
    recording.refresh_from_db()
    before = (recording.transcode_attempts, recording.content_version)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a finished recording was transcoded again")

    monkeypatch.setattr("video_tutorials.transcoding.transcode", must_not_run)
    assert tasks.transcode_recording.delay(recording.pk).get() == "ready"  # the worker died before its ack
    recording.refresh_from_db()
    assert (recording.status, recording.is_published) == ("ready", True)
    assert (recording.transcode_attempts, recording.content_version) == before
    assert sorted(recording.assets.values_list("file", flat=True)) == files
