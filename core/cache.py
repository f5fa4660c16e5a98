"""A Redis cache that survives Redis going away.

Throttle counters, revoked-token marks and retrieval caches live in the cache. When
Redis stops, reads and writes fall back to this process's memory (logged once per
outage) instead of turning every request into a 500; when Redis answers again the
shared cache is used again, with no restart.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After a failure, don't knock on Redis again for this long (each knock costs a timeout).
RETRY_AFTER_SECONDS = 2.0


def _resilient(name):
    def method(self, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
                if self._down_until:
                    logger.warning("Redis cache is back; leaving the in-process fallback.")
                    self._down_until = 0.0
                return result
            except RedisError as exc:
                if not self._down_until:
                    logger.warning("Redis cache unavailable (%s); using the in-process fallback.", exc)
                self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ReusedClientRedisCacheClient(RedisCacheClient):
    """One redis.Redis per connection pool, not one per cache call.

    Django's client builds a new redis.Redis for every get/set, and redis-py 8 fills a
    table of ~170 response callbacks in each: with five cache calls per cached read that
    was a visible share of the request (issue 14). A redis.Redis over a pool is
    thread-safe, so one per pool is shared by every thread."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._fallback = LocMemCache("mrict-redis-fallback", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0

    def is_shared(self) -> bool:
        """True while Redis answers (every process sees the same entries); False while
        this process is on its own fallback memory."""
        return time.monotonic() >= self._down_until

    add = _resilient("add")
    get = _resilient("get")
    set = _resilient("set")
    touch = _resilient("touch")
    delete = _resilient("delete")
    get_many = _resilient("get_many")
    set_many = _resilient("set_many")
    delete_many = _resilient("delete_many")
    has_key = _resilient("has_key")
    incr = _resilient("incr")
    clear = _resilient("clear")
