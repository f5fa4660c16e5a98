"""The project's cache backends: a Redis cache that survives Redis going away, and the
in-memory and file caches of the embedded defaults.

Throttle counters, revoked-token marks and retrieval caches live in the cache. When
Redis stops, reads and writes fall back to this process's memory (logged once per
outage) instead of turning every request into a 500; when Redis answers again the
shared cache is used again, with no restart.

None of these backends checks keys for memcached: Django warns about keys memcached
would refuse (over 250 characters, control characters) by walking every character of
every key on every read, a tenth of a cached read's cache time (issue 14). Redis, files
(named by the key's hash) and memory take any key; this project runs no memcached.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends import filebased, locmem
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After a failure, don't knock on Redis again for this long (each knock costs a timeout).
RETRY_AFTER_SECONDS = 2.0


class _AnyKey:
    def validate_key(self, key):
        """Any key will do (see the module's docstring)."""


class LocMemCache(_AnyKey, locmem.LocMemCache):
    pass


class FileBasedCache(_AnyKey, filebased.FileBasedCache):
    pass


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


class ProcessWideRedisCacheClient(RedisCacheClient):
    """One connection pool and one redis.Redis per server for the whole process.

    Django keeps a cache backend per async context, so under ASGI every request built a
    new backend, a new pool and a new TCP connection with its HELLO and CLIENT SETINFO
    round trips: most of a cached read's time with Redis (issue 14). redis-py's pool and
    client are thread-safe, so every backend object in the process shares them. (Django's
    own client also builds a new redis.Redis, with its ~170 response callbacks, per call.)"""

    _shared: dict[tuple, object] = {}
    _lock = threading.Lock()

    def _server_key(self, write) -> tuple[str, str]:
        return self._servers[self._get_connection_pool_index(write)], repr(sorted(self._pool_options.items()))

    def _get_connection_pool(self, write):
        server, options = self._server_key(write)
        return self._process_wide(
            ("pool", server, options), lambda: self._pool_class.from_url(server, **self._pool_options)
        )

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        return self._process_wide(("client", *self._server_key(write)), lambda: self._client(connection_pool=pool))

    @classmethod
    def _process_wide(cls, key, make):
        found = cls._shared.get(key)
        if found is None:
            with cls._lock:
                found = cls._shared.get(key)
                if found is None:
                    found = cls._shared[key] = make()
        return found


@dataclass
class _Outage:
    """Redis's state as this process sees it, shared by every backend object of one server."""

    fallback: LocMemCache
    down_until: float = 0.0


_outages: dict[str, _Outage] = {}


def forget_server(server: str) -> None:
    """Drop this process's pool and outage state for ``server`` (a test's redis-server that
    is gone for good, whose port a new one may get)."""
    _outages.pop(server, None)
    with ProcessWideRedisCacheClient._lock:
        for key in [key for key in ProcessWideRedisCacheClient._shared if key[1] == server]:
            found = ProcessWideRedisCacheClient._shared.pop(key)
            if key[0] == "pool":
                found.disconnect()


class ResilientRedisCache(_AnyKey, RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ProcessWideRedisCacheClient
        self._outage = _outages.setdefault(
            str(server), _Outage(LocMemCache(f"mrict-redis-fallback-{server}", {"TIMEOUT": params.get("TIMEOUT", 300)}))
        )

    @property
    def _fallback(self) -> LocMemCache:
        return self._outage.fallback

    @property
    def _down_until(self) -> float:
        return self._outage.down_until

    @_down_until.setter
    def _down_until(self, value: float) -> None:
        self._outage.down_until = value

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


# A cached read's entries ride on the authentication's cache round trip: a view names the
# keys it will read (``cache_keys_read_with_auth(request, user_id=...)``, user_id being the
# token's public user id) and reads them back with ``entries_for`` (issue 14: with Redis,
# one round trip per cached read instead of two). Kept on the request, so never stale.
_READ_WITH_AUTH = "_cache_entries_read_with_auth"


def keys_to_read_with_auth(request, *, user_id: str) -> list[str]:
    view = (getattr(request, "parser_context", None) or {}).get("view")
    keys_for = getattr(view, "cache_keys_read_with_auth", None)
    return list(keys_for(request, user_id=user_id)) if keys_for else []


def remember_read_with_auth(request, keys: list[str], entries: dict) -> None:
    if keys:
        setattr(request, _READ_WITH_AUTH, (frozenset(keys), {key: entries[key] for key in keys if key in entries}))


def entries_for(request, keys: list[str]) -> dict:
    """The entries of ``keys`` (absent = not cached): as read with the authentication, else now."""
    read = getattr(request, _READ_WITH_AUTH, None)
    if read is not None and read[0].issuperset(keys):
        return read[1]
    return cache.get_many(keys)
