"""Redis going away while the app runs: reads keep working, queueing answers 503,
and everything recovers without a restart when Redis comes back."""

import time

import pytest
from celery import Celery
from django.core.cache import caches
from django.test import override_settings

from core.errors import ServiceUnavailable
from core.tasks import enqueue

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def redis_cache_settings(url):
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_cache_falls_back_while_redis_is_down_and_returns_after(redis_server, monkeypatch):
    monkeypatch.setattr("core.cache.RETRY_AFTER_SECONDS", 0.1)
    with override_settings(CACHES=redis_cache_settings(redis_server.url)):
        cache = caches["default"]
        cache.set("k", "shared", 60)
        assert cache.get("k") == "shared"
        redis_server.stop()
        assert cache.get("k", "missing") == "missing"  # no exception: the in-process fallback
        cache.set("k", "local", 60)
        assert cache.get("k") == "local"
        redis_server.start()
        time.sleep(0.2)
        assert cache.get("k") is None  # a fresh Redis: the shared cache is used again
        cache.set("k", "shared-again", 60)
        assert cache.get("k") == "shared-again"


def test_login_and_reads_keep_working_when_redis_stops(redis_server, api_client, student, client_for):
    with override_settings(CACHES=redis_cache_settings(redis_server.url)):
        redis_server.stop()
        response = api_client.post(
            "/api/accounts/login/", {"email": student.email, "password": "Kente-Pattern-2024"}, format="json"
        )
        assert response.status_code == 200, response.content
        me = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        assert me.status_code == 200


def test_queueing_work_with_the_broker_down_is_a_fast_503(redis_server):
    app = Celery("fault-probe", broker=redis_server.url, set_as_current=False)  # leave the project app alone
    app.conf.broker_connection_timeout = 1
    app.conf.task_publish_retry_policy = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.1,
        "interval_max": 0.2,
    }

    @app.task(name="fault_probe.noop")
    def noop():
        return None

    assert enqueue(noop).id  # Redis up: queued
    redis_server.stop()
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        enqueue(noop)
    assert time.monotonic() - started < 10
