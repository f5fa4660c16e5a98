"""Fixtures shared by every app's tests: API clients per role and real local services."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only fault tests run in the PostgreSQL pass; the SQLite pass deselects them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected = [item for item in items if item.get_closest_marker("postgres") is None]
    deselected = [item for item in items if item.get_closest_marker("postgres") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def need_service(reason: str):
    """In CI a missing service is a failure; on a laptop it is a skip."""
    if IN_CI:
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def ws_connect(communicator) -> tuple[bool, object]:
    """(True, subprotocol) for a socket that stays open; (False, close code) for one refused,
    whether at the handshake (origin) or, as our consumers do, accepted and closed at once."""
    connected, detail = await communicator.connect()
    if not connected:
        return False, detail
    if await communicator.receive_nothing(timeout=0.2):
        return True, detail
    # Look at what came first without losing it: drain and re-queue in order (no await between).
    pending = []
    while not communicator.output_queue.empty():
        pending.append(communicator.output_queue.get_nowait())
    if pending[0]["type"] == "websocket.close":
        return False, pending[0].get("code")
    for message in pending:
        communicator.output_queue.put_nowait(message)
    return True, detail


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    """Throttle counters and media never leak from one test into the next."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _close_connections_of_async_tests(django_db_setup):
    """Async tests reach the ORM through sync_to_async, which runs in asgiref's one shared
    worker thread; that thread's connection outlived the session and kept PostgreSQL from
    dropping the test database. Set up after the database, so torn down before it."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture(autouse=True)
def _celery_join_guard_reset():
    """Eager tasks run in several threads at once (concurrency tests) can leave Celery's
    process-global "inside a task" flag set (each restores the value it saw on entry), and
    every later ``result.get()`` then refuses to run. Nothing in the app joins a result."""
    from celery.result import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db):
    from accounts.tests.factories import UserFactory

    def make(role="student", **fields):
        return UserFactory(role=role, **fields)

    return make


@pytest.fixture
def client_for():
    """An API client authenticated with a real JWT access token for ``user``."""
    from accounts.services import tokens_for

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=user)['access']}")
        return client

    return make


@pytest.fixture
def student(make_user):
    return make_user("student")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin")


@pytest.fixture
def student_client(client_for, student):
    return client_for(student)


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server():
    """A real redis-server of this test's own, on a free loopback port."""
    if shutil.which("redis-server") is None:
        need_service("redis-server is not installed (apt-get install redis-server)")
    from core.cache import forget_server

    server = RedisServer(free_port())
    forget_server(server.url)  # a server an earlier test had on this port is gone for good
    server.start()
    yield server
    server.stop()


def database_url_for_subprocess() -> str:
    """The URL of the database this test uses (the test database), for server processes."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class DaphneServer:
    """Daphne serving this project on loopback, on the test's database."""

    def __init__(self, port: int, env: dict):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        self.env = env
        self.process: subprocess.Popen | None = None
        # A file, not a pipe: nobody reads a pipe while the server runs, and a full one
        # (a burst of logged tracebacks) would block the server mid-test.
        self.log = tempfile.NamedTemporaryFile(prefix=f"daphne-{port}-", suffix=".log", delete=False)

    def log_tail(self, chars: int = 4000) -> str:
        with open(self.log.name, errors="replace") as log:
            return log.read()[-chars:]

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                os.path.join(os.path.dirname(os.sys.executable), "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "core.asgi:application",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("daphne exited: " + self.log_tail(2000))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daphne did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def start_daphne(transactional_db, settings):
    """Start Daphne on the test database; extra env (e.g. REDIS_URL) per call."""
    servers = []

    def start(**extra_env) -> DaphneServer:
        env = dict(os.environ)  # keeps MRICT_TESTING: the fast test password hasher
        env.update(
            DATABASE_URL=database_url_for_subprocess(),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            DJANGO_DEBUG="false",
            REDIS_URL="",
        )
        env.update({key: str(value) for key, value in extra_env.items()})
        server = DaphneServer(free_port(), env)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
