"""The recording JSON students fetch, rendered and gzipped once per content version.

Every student of a lesson asks for the same bytes, so a body is built once, gzipped
(a 30-minute timeline shrinks ~85x) and cached under its ETag, which names the content
version: a long cache life never serves stale bytes. Publishing warms the common
variants, so a class opening a new lesson together does not render it 40 times at once.
"""

import gzip
import hashlib

import orjson
from django.core.cache import cache
from django.db.models import prefetch_related_objects

from core.permissions import is_admin
from core.public_urls import public_base, serving_base

from . import selectors
from .models import Recording
from .serializers import RecordingDetailSerializer, TimelineSerializer

CACHE_SECONDS = 24 * 3600


def detail_variant(*, start=None, end=None, encoding: str = "full", mode: str = "full") -> str:
    return f"detail:{start}:{end}:{encoding}:{mode}"


def timeline_variant(*, start=None, end=None, encoding: str = "full") -> str:
    return f"timeline:{start}:{end}:{encoding}"


def validators(recording: Recording, *, is_admin: bool, variant: str) -> tuple[str, float]:
    """(ETag, Last-Modified) of one variant as one audience sees it."""
    parts = [recording.recording_id, str(recording.content_version), "a" if is_admin else "u", variant]
    last_modified = recording.updated_at.timestamp()
    if recording.lesson_id:  # the lesson's title is part of the payload: both validators see it
        lesson_modified = recording.lesson.updated_at.timestamp()
        parts.append(str(lesson_modified))
        last_modified = max(last_modified, lesson_modified)
    digest = hashlib.sha1(":".join(parts).encode()).hexdigest()
    return f'W/"{digest[:24]}"', last_modified


def gzipped_body(etag: str, build) -> bytes:
    """The cached gzip of ``{"message": "OK", "data": build()}`` for this ETag, per public
    base: its URLs are absolute (core/public_urls.py), so each host gets its own copy."""
    key = f"recording-json-gz:{etag}:{public_base()}"
    body = cache.get(key)
    if body is None:
        body = gzip.compress(orjson.dumps({"message": "OK", "data": build()}), compresslevel=6, mtime=0)
        cache.set(key, body, CACHE_SECONDS)
    return body


def detail_data(recording: Recording, *, user, start=None, end=None, encoding="full", mode="full") -> dict:
    """Everything the player needs, with the code timeline (or one window of it)."""
    prefetch_related_objects([recording], "assets")
    timeline = selectors.recording_timeline(recording=recording, start=start, end=end, encoding=encoding)
    context = {"timeline": timeline, "mode": mode, "include_original": is_admin(user)}
    return RecordingDetailSerializer(recording, context=context).data


def timeline_data(recording: Recording, *, start=None, end=None, encoding="full") -> dict:
    timeline = selectors.recording_timeline(recording=recording, start=start, end=end, encoding=encoding)
    return TimelineSerializer(timeline).data


def warm(recording_pk: int, *, base: str = "") -> int:
    """Render what a student's player asks for first, with links on ``base`` (the host the
    publish came through; PUBLIC_BASE_URL wins); returns the number of variants."""
    with serving_base(base):
        return _warm(recording_pk)


def _warm(recording_pk: int) -> int:
    recording = selectors.visible_recordings_for(user=None).filter(pk=recording_pk).first()
    if recording is None:  # unpublished again, or gone
        return 0
    variants = [
        (detail_variant(mode=mode), lambda mode=mode: detail_data(recording, user=None, mode=mode))
        for mode in ("full", "audio")
    ] + [
        (timeline_variant(encoding=encoding), lambda encoding=encoding: timeline_data(recording, encoding=encoding))
        for encoding in ("full", "delta")
    ]
    for variant, build in variants:
        etag, _ = validators(recording, is_admin=False, variant=variant)
        gzipped_body(etag, build)
    return len(variants)
