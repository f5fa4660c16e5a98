"""Several web processes on one box (issue 14): `python -m core.serve --workers N`, and
nothing lost between processes. Real Daphne processes, a real redis-server, the test database.

- Two Daphne processes on one Redis: a notification published while one handles a request
  reaches a socket held by the other; transcode progress from a third process (a worker)
  reaches sockets on both; a sign-in throttle hit in one counts in the other; a sign-out in
  one revokes the token in the other (HTTP and websocket).
- The supervisor: N > 1 without REDIS_URL is refused at once; two workers share one port,
  connections are spread over both and every socket gets a notification sent through the
  port; a dead worker is replaced; SIGTERM stops them all.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import override_settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from accounts.tests.factories import DEFAULT_PASSWORD
from conftest import database_url_for_subprocess, free_port

pytestmark = [pytest.mark.integration, pytest.mark.redis]
BASE_DIR = Path(__file__).resolve().parents[1]


def http(method, url, payload=None, token=None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=None if payload is None else json.dumps(payload).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def login(base_url, user) -> dict:
    status, body = http("POST", f"{base_url}/api/accounts/login/", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert status == 200, body
    return body


def redis_layer(url):
    return {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}}


async def receive_json(websocket, timeout=10):
    return json.loads(await asyncio.wait_for(websocket.recv(), timeout))


@pytest.fixture
def two_processes(redis_server, start_daphne):
    """Two Daphne processes sharing one Redis and one database, as two workers do."""
    # AUTH_USER_CACHE: on as in production (tests default it off), so revocation is tested through it.
    extra = {"REDIS_URL": redis_server.url, "THROTTLE_LOGIN_EMAIL": "3/min", "AUTH_USER_CACHE": "true"}
    first, second = start_daphne(**extra), start_daphne(**extra)
    with override_settings(CHANNEL_LAYERS=redis_layer(redis_server.url)):
        yield first, second


def test_a_lesson_published_through_one_process_reaches_a_socket_held_by_the_other(two_processes, make_user):
    from courses.models import Enrollment
    from courses.tests.factories import LessonStepFactory
    from video_tutorials.models import Recording

    first, second = two_processes
    admin, learner = make_user("admin"), make_user("student")
    lesson = LessonStepFactory(step_number=1).lesson
    Enrollment.objects.create(user=learner, course=lesson.module.course)
    recording = Recording.objects.create(title="Links, take 1", lesson=lesson, status=Recording.Status.READY)
    admin_access, learner_access = login(first.base_url, admin)["access"], login(second.base_url, learner)["access"]

    async def scenario():
        url = f"{second.ws_url}/ws/notifications/?token={learner_access}"
        async with connect(url, origin=second.base_url) as websocket:
            await asyncio.sleep(0.3)  # joined its group
            status, published = await asyncio.to_thread(
                http, "POST", f"{first.base_url}/api/recordings/{recording.recording_id}/publish/", {}, admin_access
            )
            assert status == 200, published
            message = await receive_json(websocket)
            assert message["kind"] == "recording_published"
            assert message["data"]["recording_id"] == recording.recording_id

    async_to_sync(scenario)()


def test_transcode_progress_from_a_worker_reaches_admins_on_every_process(two_processes, make_user):
    from video_tutorials.models import Recording
    from video_tutorials.transcode_jobs import progress_push

    first, second = two_processes
    admin = make_user("admin")
    recording = Recording.objects.create(title="Tables", status=Recording.Status.PROCESSING, progress=40)
    tokens = [login(server.base_url, admin)["access"] for server in two_processes]

    def advance(progress: int) -> None:
        try:
            Recording.objects.filter(pk=recording.pk).update(progress=progress)
            recording.refresh_from_db()
            progress_push(recording=recording)
        finally:
            connection.close()  # this thread's own connection

    async def scenario():
        urls = [
            f"{server.ws_url}/ws/recordings/{recording.recording_id}/?token={token}"
            for server, token in zip(two_processes, tokens, strict=True)
        ]
        async with connect(urls[0], origin=first.base_url) as one, connect(urls[1], origin=second.base_url) as two:
            for websocket in (one, two):
                assert (await receive_json(websocket))["progress"] == 40  # the state on connect
            await asyncio.sleep(0.3)
            # This test process stands for the Celery worker: a third process on the same Redis.
            await asyncio.to_thread(advance, 70)
            for websocket in (one, two):
                event = await receive_json(websocket)
                assert (event["event"], event["progress"]) == ("progress", 70)

    async_to_sync(scenario)()


def test_failed_sign_ins_in_one_process_count_in_the_other(two_processes, make_user):
    first, second = two_processes
    student = make_user("student")
    wrong = {"email": student.email, "password": "not-the-password"}
    for _ in range(3):  # THROTTLE_LOGIN_EMAIL=3/min, all spent on the first process
        status, _ = http("POST", f"{first.base_url}/api/accounts/login/", wrong)
        assert status == 401
    status, body = http("POST", f"{second.base_url}/api/accounts/login/", wrong)
    assert status == 429, body
    assert body["code"] == "throttled"


def test_signing_out_in_one_process_revokes_the_token_in_the_other(two_processes, make_user):
    first, second = two_processes
    student = make_user("student")
    tokens = login(first.base_url, student)
    me = f"{second.base_url}/api/accounts/me/"
    assert http("GET", me, token=tokens["access"])[0] == 200
    status, body = http(
        "POST", f"{first.base_url}/api/accounts/logout/", {"refresh": tokens["refresh"]}, tokens["access"]
    )
    assert status in (200, 204), body
    assert http("GET", me, token=tokens["access"])[0] == 401

    async def websocket_close_code():
        url = f"{second.ws_url}/ws/notifications/?token={tokens['access']}"
        try:
            async with connect(url, origin=second.base_url) as websocket:
                await asyncio.wait_for(websocket.recv(), 5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    assert async_to_sync(websocket_close_code)() == 4401


# --- the supervisor


def serve_env(settings, **extra) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url_for_subprocess(), MEDIA_ROOT=str(settings.MEDIA_ROOT), DJANGO_DEBUG="false")
    env.pop("WEB_WORKERS", None)
    env.update(extra)
    return env


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def established_connections(pid: int, port: int) -> int:
    """TCP connections on ``port`` that process ``pid`` holds (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
            count += 1
    return count


class Supervisor:
    def __init__(self, port: int, env: dict, workers: int):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        command = [sys.executable, "-m", "core.serve", "--workers", str(workers), "-b", "127.0.0.1", "-p", str(port)]
        # A file, not a pipe: the workers' logs go there too, and nobody reads a pipe mid-test.
        self.log = tempfile.NamedTemporaryFile(prefix=f"serve-{port}-", suffix=".log", delete=False)
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=self.log)

    def wait_until_serving(self, workers: int) -> list[int]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, Path(self.log.name).read_text()[-3000:]
            children = children_of(self.process.pid)
            if len(children) == workers and all(self.answers_health() for _ in range(4)):
                return children
            time.sleep(0.2)
        raise AssertionError("the workers did not start")

    def answers_health(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_supervisor(transactional_db, settings):
    started = []

    def start(workers: int, **extra) -> Supervisor:
        supervisor = Supervisor(free_port(), serve_env(settings, **extra), workers)
        started.append(supervisor)
        return supervisor

    yield start
    for supervisor in started:
        supervisor.stop()


def test_several_workers_without_redis_are_refused_at_once(settings):
    result = subprocess.run(
        [sys.executable, "-m", "core.serve", "--workers", "2", "-p", str(free_port())],
        cwd=BASE_DIR,
        env=serve_env(settings, REDIS_URL=""),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "2 workers need REDIS_URL" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_two_workers_share_one_port_and_every_socket_gets_the_notification(start_supervisor, redis_server, make_user):
    from notifications.services import notification_send

    supervisor = start_supervisor(2, REDIS_URL=redis_server.url)
    workers = supervisor.wait_until_serving(2)
    student = make_user("student")
    access = login(supervisor.base_url, student)["access"]

    async def scenario():
        url = f"{supervisor.ws_url}/ws/notifications/?token={access}"
        sockets = [await connect(url, origin=supervisor.base_url) for _ in range(12)]
        try:
            await asyncio.sleep(0.5)  # every socket joined the student's group
            # SO_REUSEPORT spreads connections by address hash: 12 all on one worker is a 1 in 2048 chance.
            spread = [established_connections(pid, supervisor.port) for pid in workers]
            assert sum(spread) == 12 and min(spread) > 0, spread
            with override_settings(CHANNEL_LAYERS=redis_layer(redis_server.url)):
                await asyncio.to_thread(notification_send, recipient=student, kind="lesson_published", title="Forms")
            for websocket in sockets:
                assert (await receive_json(websocket))["title"] == "Forms"
        finally:
            for websocket in sockets:
                await websocket.close()

    async_to_sync(scenario)()


def test_a_dead_worker_is_replaced_and_sigterm_stops_every_worker(start_supervisor, redis_server):
    supervisor = start_supervisor(2, REDIS_URL=redis_server.url)
    first, second = supervisor.wait_until_serving(2)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = children_of(supervisor.process.pid)
        if len(children) == 2 and first not in children:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the dead worker was not replaced")
    assert second in children
    replacement = next(pid for pid in children if pid != second)
    assert supervisor.wait_until_serving(2) == sorted([second, replacement])

    supervisor.process.send_signal(signal.SIGTERM)
    assert supervisor.process.wait(timeout=40) == 0
    for pid in (second, replacement):
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
