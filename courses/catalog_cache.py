"""The published catalog is the same for every student: serialize it once per change.

A version number in the cache moves whenever a course, module, lesson or step is saved
or deleted, so a cached page (or lesson step, ``cached_content``) is never stale. The per-student ``is_enrolled`` flags come
from each student's enrolled course ids, cached too and dropped whenever one of their
enrollments is saved or deleted (the ids are public course ids, which never change).
"""

import hashlib
from functools import lru_cache

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from core.public_urls import public_base

VERSION_KEY = "catalog:version"
TTL_SECONDS = 600


def catalog_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump_catalog_version(**kwargs) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates old keys
        cache.set(VERSION_KEY, catalog_version() + 1, timeout=None)


def _page_key(key_parts: tuple) -> str:
    # Image URLs are absolute (core/public_urls.py): a page per public base.
    return _hashed_page_key((*key_parts, public_base()))


@lru_cache(maxsize=512)  # each request names its page twice (read with the token, then used)
def _hashed_page_key(parts: tuple) -> str:
    return f"catalog:page:{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}"


def cached_catalog_page(*, key_parts: tuple, build, prefetched: dict | None = None) -> dict:
    """The page, cached with the catalog version it was built at; an older one is rebuilt.

    ``prefetched``: the version and page entries already read (catalog_keys)."""
    return cached_content(key=_page_key(key_parts), build=build, prefetched=prefetched)


def cached_content(*, key: str, build, prefetched: dict | None = None):
    """``build()`` (a catalog page, a lesson and step) cached with the content version it was
    built at, read with that version in one round trip; an older one is rebuilt."""
    found = prefetched if prefetched is not None else cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = catalog_version()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = build()
    cache.set(key, (version, value), TTL_SECONDS)
    return value


def catalog_keys(*, key_parts: tuple, user_id: str) -> list[str]:
    """Everything a student's catalog page reads from the cache (``user_id``: the public id)."""
    return [VERSION_KEY, _page_key(key_parts), _enrolled_key(user_id)]


def _enrolled_key(user_id: str) -> str:
    return f"catalog:enrolled:{user_id}"


def cached_enrolled_course_ids(*, user, load, prefetched: dict | None = None) -> set[str]:
    """``load()`` (the selector) once per change of this student's enrollments."""
    key = _enrolled_key(user.user_id)
    ids = prefetched.get(key) if prefetched is not None else cache.get(key)
    if ids is None:
        ids = load()
        cache.set(key, ids, TTL_SECONDS)
    return ids


def forget_enrolled_course_ids(*, instance, **kwargs) -> None:
    cache.delete(_enrolled_key(instance.user.user_id))


def connect_signals() -> None:
    from .models import Course, Enrollment, Lesson, LessonStep, Module

    for model in (Course, Module, Lesson, LessonStep):
        post_save.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-{model.__name__}-save")
        post_delete.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-{model.__name__}-delete")
    post_save.connect(forget_enrolled_course_ids, sender=Enrollment, dispatch_uid="catalog-enrollment-save")
    post_delete.connect(forget_enrolled_course_ids, sender=Enrollment, dispatch_uid="catalog-enrollment-delete")
