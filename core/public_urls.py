"""Absolute public URLs for everything the API hands out as a link (media files, the
timeline and bundle endpoints): an app on another origin (the student SPA on its own
host) uses them as ``src`` as they are.

The base is ``PUBLIC_BASE_URL`` when set (behind a proxy or CDN, the address students
use), else the scheme and host of the request being answered. Already absolute URLs
(S3 / the bucket's custom domain) are left alone. Local media gets there through
``PublicFileSystemStorage``, so every ``FieldFile.url`` is absolute: no field is
prefixed by hand.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage

_request_base: ContextVar[str] = ContextVar("public_request_base", default="")


def public_base() -> str:
    """``PUBLIC_BASE_URL``, else the current request's ``scheme://host``; "" outside a
    request without the setting (a task, a shell): URLs then stay root-relative."""
    return (settings.PUBLIC_BASE_URL or _request_base.get()).rstrip("/")


def absolute_url(url: str | None) -> str | None:
    if not url or "://" in url.split("/", 1)[0] or url.startswith("//"):
        return url
    base = public_base()
    if not base:
        return url
    return base + (url if url.startswith("/") else f"/{url}")


@contextmanager
def serving_base(base: str):
    """Build links on ``base`` outside a request (a task rendering for a known host)."""
    token = _request_base.set(base or "")
    try:
        yield
    finally:
        _request_base.reset(token)


class PublicFileSystemStorage(FileSystemStorage):
    """Local media (MEDIA_ROOT) with absolute URLs."""

    def url(self, name):
        return absolute_url(super().url(name))
