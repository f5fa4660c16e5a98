"""The recording flow on real services: Daphne on loopback, a real redis-server, a real
Celery worker process, real ffmpeg. An admin uploads a generated clip over HTTP,
watches the transcode status arrive over the websocket, publishes, and a student
fetches the lesson video's detail."""

import asyncio
import json

import httpx
import pytest
from asgiref.sync import async_to_sync
from websockets.asyncio.client import connect

from accounts.services import tokens_for
from video_tutorials.tests.conftest import media_dir  # noqa: F401  (the generated clips)
from video_tutorials.tests.test_worker import kill_group, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.celery, pytest.mark.ffmpeg, pytest.mark.slow]


@pytest.fixture
def people(make_user):
    admin, student = make_user("admin"), make_user("student")
    return {"admin": tokens_for(user=admin)["access"], "student": tokens_for(user=student)["access"]}


def test_upload_transcode_over_websocket_publish_and_student_fetch(
    redis_server, start_daphne, people, media_dir, settings, tmp_path
):
    server = start_daphne(REDIS_URL=redis_server.url, CELERY_TASK_ALWAYS_EAGER="0")
    admin = {"Authorization": f"Bearer {people['admin']}"}
    with (media_dir / "lesson.webm").open("rb") as clip:
        response = httpx.post(
            f"{server.base_url}/api/upload/",
            headers=admin,
            files={"video_file": ("lesson.webm", clip, "video/webm")},
            data={"title": "Integration lesson", "duration": "3"},
            timeout=60,
        )
    assert response.status_code == 201, response.text
    recording_id = response.json()["data"]["recording_id"]
    assert response.json()["data"]["status"] == "uploaded"  # queued for the worker, not done in the request

    log_path = tmp_path / "worker.log"

    async def watch() -> list[dict]:
        events = []
        url = f"{server.ws_url}/ws/recordings/{recording_id}/?token={people['admin']}"
        async with connect(url, origin=server.base_url) as websocket:
            events.append(json.loads(await asyncio.wait_for(websocket.recv(), 10)))
            worker = await asyncio.to_thread(start_worker, redis_server.url, settings.MEDIA_ROOT, log_path)
            try:
                while events[-1]["status"] not in ("ready", "failed"):
                    events.append(json.loads(await asyncio.wait_for(websocket.recv(), 120)))
            finally:
                await asyncio.to_thread(kill_group, worker)
        return events

    events = async_to_sync(watch)()
    statuses = [event["status"] for event in events]
    assert statuses[0] == "uploaded"
    assert "processing" in statuses and statuses[-1] == "ready", (statuses, log_path.read_text()[-3000:])
    progress = [event["progress"] for event in events if event["status"] == "processing"]
    assert progress == sorted(progress) and max(progress) > 0

    student = {"Authorization": f"Bearer {people['student']}"}
    assert httpx.get(f"{server.base_url}/api/recordings/{recording_id}/", headers=student).status_code == 404
    published = httpx.post(f"{server.base_url}/api/recordings/{recording_id}/publish/", headers=admin)
    assert published.status_code == 200, published.text

    detail = httpx.get(f"{server.base_url}/api/recordings/{recording_id}/", headers=student)
    assert detail.status_code == 200
    data = detail.json()["data"]
    assert {rendition["rung"] for rendition in data["renditions"]} == {"240p", "360p"}
    video_url = data["renditions"][0]["url"]
    assert video_url.startswith(f"{server.base_url}/media/")  # absolute: the SPA uses it as it is
    video = httpx.get(video_url, headers={"Range": "bytes=0-99"})
    assert video.status_code == 206 and len(video.content) == 100
