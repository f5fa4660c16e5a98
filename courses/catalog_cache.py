"""The published catalog is the same for every student: serialize it once per change.

A version number in the cache moves whenever a course, module or lesson is saved or
deleted, so a cached page is never stale; only the per-student ``is_enrolled`` flags
are computed per request.
"""

import hashlib

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


def cached_catalog_page(*, key_parts: tuple, build) -> dict:
    # Image URLs are absolute (core/public_urls.py): a page per public base.
    digest = hashlib.sha256(repr((*key_parts, public_base())).encode()).hexdigest()[:32]
    key = f"catalog:page:{catalog_version()}:{digest}"
    page = cache.get(key)
    if page is None:
        page = build()
        cache.set(key, page, TTL_SECONDS)
    return page


def connect_signals() -> None:
    from .models import Course, Lesson, Module

    for model in (Course, Module, Lesson):
        post_save.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-{model.__name__}-save")
        post_delete.connect(bump_catalog_version, sender=model, dispatch_uid=f"catalog-{model.__name__}-delete")
