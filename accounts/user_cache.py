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

import secrets
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


def user_for_token(*, user_id: str, load):
    """The user with this public id: ``load()`` (the database) unless the cached row is current."""
    if not cache_is_shared():
        return load()
    generation_key, user_key = _generation_key(user_id), _user_key(user_id)
    found = _prefetched.get()
    if found is None or generation_key not in found and user_key not in found:
        found = users_cache().get_many([generation_key, user_key])
    generation, entry = found.get(generation_key), found.get(user_key)
    if generation is not None and entry is not None and entry[0] == generation:
        return entry[1]
    if generation is None:
        users_cache().add(generation_key, secrets.token_hex(8), timeout=None)  # add: never undo a concurrent change
        generation = users_cache().get(generation_key)
    # Read after the generation: a change committed meanwhile replaces the generation
    # after its commit, so a row read before that commit is cached under a dead one.
    user = load()
    if generation is not None:
        users_cache().set(user_key, (generation, user), TTL_SECONDS)
    return user


def prefetched_entries(*, user_id: str, extra_keys: list[str]) -> dict:
    """``extra_keys`` and, with a shared cache, this user's entries: one round trip."""
    user_keys = [_generation_key(user_id), _user_key(user_id)] if cache_is_shared() else []
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
