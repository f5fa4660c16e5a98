"""The signed-in user for token authentication, from the shared cache, never stale.

Every authenticated request looked its user up in the database; with the ORM compiling
that query each time it was about a third of a cached catalog read (issue 14). The user
row is cached under a generation value that is replaced after every committed save or
delete of that user, so a deactivated, deleted or re-passworded user is refused on the
very next request in every process.

Only a cache every process shares is used: Redis while it answers, or on the embedded
defaults (no Redis, one machine) the ``users`` file cache. With Redis's per-process
fallback a change made by another process (a management command, another worker) could
not reach this one, so the database is asked as before.
"""

import copy
import secrets
import threading
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import transaction

TTL_SECONDS = 300
# Entries read together with other keys (accounts/authentication.py) for this request.
_prefetched: ContextVar[dict | None] = ContextVar("auth_user_prefetched", default=None)


def _generation_key(user_id: str) -> str:
    return f"auth:user-generation:{user_id}"


def _user_key(user_id: str) -> str:
    return f"auth:user:{user_id}"


def users_cache():
    """The ``users`` cache where there is one (the embedded defaults), else the default."""
    return caches["users"] if "users" in settings.CACHES else cache


def cache_is_shared() -> bool:
    """Whether the user cache may be used now: switched on, and every process sees it
    (files on this machine, or Redis while it answers)."""
    if not settings.AUTH_USER_CACHE:
        return False
    store = users_cache()
    if isinstance(store, FileBasedCache):
        return True
    is_shared = getattr(store, "is_shared", None)
    return bool(is_shared and is_shared())


class _UsersInThisProcess:
    """This process's copies of cached users, each with the generation it was cached under.

    The generation (a short string) is read from the shared cache on every request; while it
    is unchanged the row is too, so the row itself (a pickled model, read from Redis or a
    file) need not be read and unpickled again: a copy of this one is handed out instead."""

    MAX_USERS = 5_000  # a big school's students and staff; the oldest copy goes first

    def __init__(self):
        self._rows: dict[str, tuple[str, object]] = {}
        self._lock = threading.Lock()

    def has(self, user_id: str) -> bool:
        return user_id in self._rows

    def get(self, user_id: str, generation: str):
        found = self._rows.get(user_id)
        if found is None or found[0] != generation:
            return None
        return copy.copy(found[1])  # a request may change its user; the next one starts clean

    def put(self, user_id: str, generation: str, user) -> None:
        with self._lock:
            self._rows.pop(user_id, None)
            while len(self._rows) >= self.MAX_USERS:
                del self._rows[next(iter(self._rows))]
            self._rows[user_id] = (generation, copy.copy(user))

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


users_here = _UsersInThisProcess()


def _keys_to_read(user_id: str) -> list[str]:
    """The generation, and the row unless this process has a copy of it."""
    if users_here.has(user_id):
        return [_generation_key(user_id)]
    return [_generation_key(user_id), _user_key(user_id)]


def user_for_token(*, user_id: str, load):
    """The user with this public id: ``load()`` (the database) unless the cached row is current."""
    if not cache_is_shared():
        return load()
    generation_key, user_key = _generation_key(user_id), _user_key(user_id)
    found = _prefetched.get()
    if found is None:
        found = users_cache().get_many(_keys_to_read(user_id))
    generation = found.get(generation_key)
    if generation is not None:
        user = users_here.get(user_id, generation)
        if user is not None:
            return user
        entry = found[user_key] if user_key in found else users_cache().get(user_key)
        if entry is not None and entry[0] == generation:
            users_here.put(user_id, generation, entry[1])
            return entry[1]
    else:
        users_cache().add(generation_key, secrets.token_hex(8), timeout=None)  # add: never undo a concurrent change
        generation = users_cache().get(generation_key)
    # Read after the generation: a change committed meanwhile replaces the generation
    # after its commit, so a row read before that commit is cached under a dead one.
    user = load()
    if generation is not None:
        users_cache().set(user_key, (generation, user), TTL_SECONDS)
        users_here.put(user_id, generation, user)
    return user


def prefetched_entries(*, user_id: str, extra_keys: list[str]) -> dict:
    """``extra_keys`` and, with a shared cache, this user's entries: one round trip."""
    user_keys = _keys_to_read(user_id) if cache_is_shared() else []
    if users_cache() is cache:
        return cache.get_many([*extra_keys, *user_keys])
    return {**cache.get_many(extra_keys), **(users_cache().get_many(user_keys) if user_keys else {})}


@contextmanager
def read_with(entries: dict):
    """user_for_token uses these entries instead of reading them again."""
    reset = _prefetched.set(entries)
    try:
        yield
    finally:
        _prefetched.reset(reset)


def _new_generation(user_id: str) -> None:
    users_cache().set(_generation_key(user_id), secrets.token_hex(8), timeout=None)


def forget_user(*, instance, **kwargs) -> None:
    """post_save / post_delete of a user: every cached copy stops counting.

    Now, for reads in this transaction, and again after the commit: a request that read
    the row before the commit and cached it under the first new generation loses it."""
    user_id = instance.user_id
    _new_generation(user_id)
    transaction.on_commit(lambda: _new_generation(user_id))
