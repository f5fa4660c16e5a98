"""Redis stops under a running Daphne and comes back on the same port: reads keep
working, readiness and the Redis-backed parts say so clearly, and everything recovers
without restarting the server."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest
import redis
from asgiref.sync import async_to_sync
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.tests.factories import DEFAULT_PASSWORD
from conftest import need_service
from core.consumers import CLOSE_TRY_AGAIN_LATER

pytestmark = [pytest.mark.redis, pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture
def clip(tmp_path):
    """One second of generated video, for an admin's upload."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        need_service("ffmpeg/ffprobe are not installed (apt-get install ffmpeg)")
    path = tmp_path / "clip.webm"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=5:duration=1",
         "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "100k", str(path)],
        check=True, timeout=60,
    )  # fmt: skip
    return path


@pytest.fixture
def live_stack(redis_server, start_daphne, tmp_path):
    """Daphne on Redis (cache, channel layer, broker) with tasks really queued, and a
    curriculum index so that readiness depends on Redis alone."""
    data_dir = tmp_path / "data"
    (data_dir / "curriculum_index" / "v1").mkdir(parents=True)
    (data_dir / "curriculum_index" / "CURRENT").write_text("v1")
    server = start_daphne(REDIS_URL=redis_server.url, DATA_DIR=data_dir, CELERY_TASK_ALWAYS_EAGER="false")
    return server


@pytest.fixture
def classroom(make_user):
    from courses.models import Enrollment
    from courses.tests.factories import LessonStepFactory
    from video_tutorials.models import Recording

    admin, student = make_user("admin"), make_user("student")
    lesson = LessonStepFactory(step_number=1).lesson
    Enrollment.objects.create(user=student, course=lesson.module.course)
    recording = Recording.objects.create(title="Links, take 1", lesson=lesson, status=Recording.Status.READY)
    return {"admin": admin, "student": student, "lesson": lesson, "recording": recording}


def login(http: httpx.Client, user) -> str:
    response = http.post("/api/accounts/login/", json={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access"]


async def websocket_outcome(url: str, origin: str, *, wait_for_message: bool = False):
    """("open", first message or None) or ("closed", close code or HTTP status)."""
    try:
        async with connect(url, origin=origin, open_timeout=10) as websocket:
            if not wait_for_message:
                # A refused socket is accepted and closed at once: its close frame is here by then.
                try:
                    await asyncio.wait_for(websocket.recv(), 1.0)
                except TimeoutError:
                    return "open", None
            return "open", json.loads(await asyncio.wait_for(websocket.recv(), 10))
    except ConnectionClosed as closed:
        return "closed", closed.rcvd.code if closed.rcvd else None
    except InvalidStatus as refused:
        return "closed", refused.response.status_code


def run_stale_sweep(server) -> list:
    """The beat job, run the way beat runs it: in its own process, on the server's settings."""
    code = (
        "import django, json; django.setup(); from video_tutorials.transcode_jobs import transcodes_sweep_stale; "
        "print(json.dumps(transcodes_sweep_stale()))"
    )
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "core.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=os.getcwd(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_redis_outage_under_a_running_server_and_recovery_without_restart(redis_server, live_stack, classroom, clip):
    from video_tutorials.models import Recording

    server = live_stack
    lesson, recording = classroom["lesson"], classroom["recording"]
    http = httpx.Client(base_url=server.base_url, timeout=30)
    admin_access, student_access = login(http, classroom["admin"]), login(http, classroom["student"])
    student_auth = {"Authorization": f"Bearer {student_access}"}
    admin_auth = {"Authorization": f"Bearer {admin_access}"}
    notifications_url = f"{server.ws_url}/ws/notifications/?token={student_access}"
    assert http.get("/readyz").status_code == 200

    redis_server.stop()

    # Reads keep working.
    catalog = http.get("/api/students/experience/catalog/", headers=student_auth)
    assert catalog.status_code == 200, catalog.text
    assert lesson.module.course.course_id in catalog.text
    assert http.get(f"/api/students/experience/lessons/{lesson.lesson_id}/", headers=student_auth).status_code == 200
    assert http.get(f"/api/lessons/{lesson.lesson_id}/", headers=student_auth).status_code == 200
    # Readiness names Redis as the reason.
    ready = http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["ready"] is False
    assert ready.json()["checks"]["redis"]["ok"] is False
    assert [name for name, check in ready.json()["checks"].items() if not check["ok"]] == ["redis"]
    # An upload is stored and accepted; its transcode waits for the sweep (by design:
    # video_tutorials.transcode_jobs.recording_queue_transcode).
    with open(clip, "rb") as handle:
        uploaded = http.post(
            "/api/upload/",
            data={"title": "Taken while Redis was down"},
            files={"video_file": handle},
            headers=admin_auth,
        )
    assert uploaded.status_code == 201, uploaded.text
    assert (
        uploaded.json()["message"] == "Uploaded; transcoding starts within minutes of background processing being back."
    )
    waiting = Recording.objects.get(title="Taken while Redis was down")
    assert (waiting.status, waiting.transcode_queued_at) == (Recording.Status.UPLOADED, None)

    redis_server.start()  # same port, empty: nothing survived the outage

    # Recovery, same Daphne process.
    assert http.get("/readyz").status_code == 200
    assert run_stale_sweep(server) == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.transcode_queued_at is not None
    assert redis.Redis.from_url(redis_server.url).llen("celery") == 1  # the transcode is on the broker

    async def a_notification_arrives():
        async with connect(notifications_url, origin=server.base_url, open_timeout=10) as websocket:
            await asyncio.sleep(0.3)  # joined its group
            published = await asyncio.to_thread(
                http.post, f"/api/recordings/{recording.recording_id}/publish/", headers=admin_auth
            )
            assert published.status_code == 200, published.text
            return json.loads(await asyncio.wait_for(websocket.recv(), 10))

    message = async_to_sync(a_notification_arrives)()
    assert message["kind"] == "recording_published"
    assert message["data"]["recording_id"] == recording.recording_id
    assert server.process.poll() is None  # never restarted


def test_notifications_websocket_on_daphne_says_try_again_later_while_redis_is_down(
    redis_server, live_stack, classroom
):
    server = live_stack
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        access = login(http, classroom["student"])
    url = f"{server.ws_url}/ws/notifications/?token={access}"
    assert async_to_sync(websocket_outcome)(url, server.base_url) == ("open", None)
    redis_server.stop()
    # The client must be able to tell "try again later" from "your token is bad" (4401).
    assert async_to_sync(websocket_outcome)(url, server.base_url) == ("closed", CLOSE_TRY_AGAIN_LATER)
    redis_server.start()
    # As a client told "try again later" does: reconnect with a short backoff.
    outcomes = []
    for _ in range(10):
        outcomes.append(async_to_sync(websocket_outcome)(url, server.base_url))
        if outcomes[-1] == ("open", None):
            break
        time.sleep(0.5)
    assert outcomes[-1] == ("open", None), (outcomes, server.log_tail())
