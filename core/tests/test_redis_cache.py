"""Under ASGI Django makes a cache backend per request (per async context); they must all
share one Redis connection pool, or every request opens a new TCP connection (issue 14)."""

import asyncio

import pytest
import redis
from asgiref.sync import sync_to_async
from django.core.cache import caches

pytestmark = pytest.mark.redis


def test_requests_in_their_own_contexts_share_the_processes_connections(settings, redis_server):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url}}
    backends = []

    def read():
        backend = caches["default"]
        backends.append(backend)
        backend.get_many(["a", "b"])

    async def requests():
        await asyncio.gather(*(asyncio.create_task(sync_to_async(read)()) for _ in range(20)))

    for _ in range(3):
        asyncio.run(requests())
    assert len({id(backend) for backend in backends}) > 1  # Django's own behaviour, which this is about
    connected = redis.Redis.from_url(redis_server.url).info("clients")["connected_clients"]
    assert connected <= 2  # one pooled connection (two if reads overlapped) and this probe


def test_an_outage_seen_by_one_request_spares_the_next_its_timeout(settings, redis_server):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url}}

    def backend():
        return asyncio.run(sync_to_async(lambda: caches["default"])())

    first = backend()
    first.set("k", 1)
    redis_server.stop()
    assert first.get("k") is None  # Redis is gone: the fallback answers
    second = backend()
    assert second is not first and second.is_shared() is False  # known down in this process
