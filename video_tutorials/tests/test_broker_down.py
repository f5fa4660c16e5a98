"""The Celery broker is down: what upload, retry and publish answer, and how the beat
sweep transcodes what could not be queued once the broker is back (nothing is lost).

tests/test_faults_redis.py shows a real dead Redis makes ``enqueue`` raise
ServiceUnavailable fast; here the broker refuses the same way, without a Redis."""

import pytest
from celery.app.task import Task
from kombu.exceptions import OperationalError

from video_tutorials import transcode_jobs
from video_tutorials.models import Recording

from .conftest import upload

pytestmark = [pytest.mark.ffmpeg, pytest.mark.django_db]


@pytest.fixture
def broker(monkeypatch):
    """The broker, stopped and started: publishing fails as kombu fails on a dead Redis."""
    apply_async = Task.apply_async

    def refuse(task, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    class Broker:
        def stop(self):
            monkeypatch.setattr(Task, "apply_async", refuse)

        def start(self):
            monkeypatch.setattr(Task, "apply_async", apply_async)

    return Broker()


def test_with_the_broker_down_upload_retry_and_publish_answer_2xx_and_the_sweep_catches_up(
    admin_client, media_dir, settings, broker
):
    ready = Recording.objects.get(
        recording_id=upload(admin_client, media_dir, title="Ready").json()["data"]["recording_id"]
    )
    failed = Recording.objects.get(
        recording_id=upload(admin_client, media_dir, title="Failed").json()["data"]["recording_id"]
    )
    Recording.objects.filter(pk=failed.pk).update(status="failed", error="ffmpeg crashed")
    broker.stop()

    response = upload(admin_client, media_dir, title="Queued while down")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Uploaded; transcoding starts within minutes of background processing being back."
    assert body["data"]["status"] == "uploaded"
    queued = Recording.objects.get(recording_id=body["data"]["recording_id"])

    retried = admin_client.post(f"/api/recordings/{failed.recording_id}/retry/")
    assert retried.status_code == 200 and retried.json()["data"]["status"] == "uploaded"
    published = admin_client.post(f"/api/recordings/{ready.recording_id}/publish/")
    assert published.status_code == 200 and published.json()["data"]["is_published"] is True  # JSON not pre-warmed

    assert transcode_jobs.transcodes_sweep_stale() == []  # still down: nothing can be queued
    broker.start()
    # The next sweep (every 5 minutes) queues what could not be queued, without waiting
    # for it to look stale; the transcodes that were queued normally are left alone.
    assert sorted(transcode_jobs.transcodes_sweep_stale()) == sorted([queued.pk, failed.pk])
    assert transcode_jobs.transcodes_sweep_stale() == []
    assert set(Recording.objects.values_list("status", flat=True)) == {"ready"}
