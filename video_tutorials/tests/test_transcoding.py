"""The transcoding task end to end with real ffmpeg: progress over the websocket,
idempotent re-runs, failures kept, retry, the stale sweep."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from video_tutorials import services, tasks
from video_tutorials.models import Recording, RecordingAsset

from .conftest import upload

pytestmark = [pytest.mark.ffmpeg, pytest.mark.django_db]


def test_rerunning_the_task_replaces_renditions_and_deletes_old_files(
    admin_client, media_dir, settings, django_capture_on_commit_callbacks
):
    upload(admin_client, media_dir)
    recording = Recording.objects.get()
    first_files = set(recording.assets.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.transcode_recording.delay(recording.pk).get() == "ready"
    assets = RecordingAsset.objects.filter(recording=recording)
    assert assets.count() == 4
    assert first_files.isdisjoint(set(assets.values_list("file", flat=True)))
    assert not any((settings.MEDIA_ROOT / name).exists() for name in first_files)
    video = assets.get(label="240p")
    assert video.height == 240 and 0 < video.bitrate_kbps <= 300 + 80  # capped video + 64k speech audio


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
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from()
        assert first["event"] == "status" and first["status"] == "uploaded"
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.recording_transcode)(recording_pk=recording.pk)
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
        connected, code = await communicator.connect()
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
    tasks.transcode_recording.delay(recording.pk).get()
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
    services.recording_transcode(recording_pk=recording.pk)
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "recording.progress" and message["payload"]["event"] == "started"
