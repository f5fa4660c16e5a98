"""Reads of recordings, shaped once: who sees what, media per lesson, the timeline."""

from django.db.models import Prefetch, Q, QuerySet
from rest_framework.exceptions import NotFound

from core.ids import public_id_or_pk
from core.permissions import is_admin
from core.public_urls import absolute_url
from courses.selectors import open_lesson_filter

from .models import Recording, RecordingAsset, SnapshotChunk
from .timeline import chunk_window

DEFAULT_RUNG = "360p"


def visible_recordings_for(*, user) -> QuerySet[Recording]:
    """Admins see every recording; everyone else only published, transcoded ones that
    belong to no lesson or to a lesson students can open (lesson, module and course
    published: the one rule of ``courses.selectors.open_lesson_filter``)."""
    queryset = Recording.objects.select_related("lesson")
    if is_admin(user):
        return queryset
    return queryset.filter(is_published=True, status=Recording.Status.READY).filter(
        Q(lesson__isnull=True) | open_lesson_filter("lesson__")
    )


def with_assets(queryset: QuerySet[Recording]) -> QuerySet[Recording]:
    return queryset.prefetch_related(Prefetch("assets", queryset=RecordingAsset.objects.order_by("kind", "height")))


def access_recording(user, key: str, *, prefetch_assets: bool = False) -> Recording:
    """The recording ``key`` (``REC-…`` or a numeric id) names, if ``user`` may see it (admins
    see drafts), else a 404: the one way views, consumers and services load a recording by URL."""
    queryset = visible_recordings_for(user=user)
    if prefetch_assets:
        queryset = with_assets(queryset)
    recording = queryset.filter(**public_id_or_pk(key, public_field="recording_id")).first()
    if recording is None:
        raise NotFound("No recording with this id.")
    return recording


def asset_dict(asset: RecordingAsset) -> dict:
    return {
        "rung": asset.label,
        "url": asset.file.url,
        "size_bytes": asset.size_bytes,
        "bitrate_kbps": asset.bitrate_kbps,
        "duration": asset.duration,
        "height": asset.height,
        "width": asset.width,
        "mime_type": asset.mime_type,
    }


def recording_media(recording: Recording) -> dict:
    """URLs and sizes of a recording's media, from its prefetched assets."""
    videos, audio, poster, captions = [], None, None, []
    for asset in recording.assets.all():
        if asset.kind == RecordingAsset.Kind.VIDEO:
            videos.append(asset)
        elif asset.kind == RecordingAsset.Kind.AUDIO:
            audio = asset
        elif asset.kind == RecordingAsset.Kind.POSTER:
            poster = asset
        elif asset.kind == RecordingAsset.Kind.CAPTION:
            captions.append(asset)
    videos.sort(key=lambda a: a.height)
    default = next((v for v in videos if v.label == DEFAULT_RUNG), videos[0] if videos else None)
    caption = next((c for c in captions if c.label == recording.language), captions[0] if captions else None)
    return {
        "renditions": [asset_dict(v) for v in videos],
        "audio": asset_dict(audio) if audio else None,
        "poster_url": poster.file.url if poster else None,
        "captions": [{"language": c.label, "url": c.file.url, "size_bytes": c.size_bytes} for c in captions],
        "video_url": default.file.url if default else None,
        "subtitles_url": caption.file.url if caption else None,
    }


def recording_urls(recording: Recording) -> dict:
    base = f"/api/recordings/{recording.recording_id}"
    return {
        "snapshots_url": absolute_url(f"{base}/timeline/"),
        "bundle_url": absolute_url(f"{base}/bundle/"),
    }


def lesson_video_dict(recording: Recording, *, include_original: bool = False) -> dict:
    """The ``videos[]`` item of a lesson (admin SPA and the student player)."""
    media = recording_media(recording)
    video_url = media["video_url"]
    if video_url is None and include_original and recording.original:
        video_url = recording.original.url  # not transcoded yet: admins preview the original
    return {
        "id": recording.pk,
        "recording_id": recording.recording_id,
        "title": recording.title,
        "status": recording.status,
        "is_published": recording.is_published,
        "video_url": video_url,
        "subtitles_url": media["subtitles_url"],
        "duration": recording.duration,
        "language": recording.language,
        "poster_url": media["poster_url"],
        "renditions": media["renditions"],
        "audio_url": media["audio"]["url"] if media["audio"] else None,
        **recording_urls(recording),
    }


def lesson_media_for(*, lessons, user) -> dict[int, list[dict]]:
    """Lesson pk → the videos of that lesson this user may see (2 queries for any number
    of lessons). Non-admins get published, transcoded recordings only."""
    lesson_pks = [lesson if isinstance(lesson, int) else lesson.pk for lesson in lessons]
    result: dict[int, list[dict]] = {pk: [] for pk in lesson_pks}
    if not lesson_pks:
        return result
    queryset = Recording.objects.filter(lesson_id__in=lesson_pks)
    sees_drafts = is_admin(user)
    if not sees_drafts:
        queryset = queryset.filter(is_published=True, status=Recording.Status.READY)
    queryset = queryset.prefetch_related("assets").order_by("created_at", "id")
    for recording in queryset:
        result[recording.lesson_id].append(lesson_video_dict(recording, include_original=sees_drafts))
    return result


def timeline_window(*, recording: Recording, start: float | None, end: float | None, delta: bool) -> list[dict]:
    """Snapshots with ``start <= timestamp <= end`` ordered by time, from the chunks that
    overlap the window (one query)."""
    chunks = SnapshotChunk.objects.filter(recording=recording)
    if start is not None:
        chunks = chunks.filter(end_time__gte=start)
    if end is not None:
        chunks = chunks.filter(start_time__lte=end)
    snapshots: list[dict] = []
    for data in chunks.order_by("start_time", "id").values_list("data", flat=True):
        snapshots.extend(chunk_window(data, start, end, delta=delta))
    return snapshots


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def recording_summary_dict(recording: Recording, *, media: dict | None = None) -> dict:
    media = media if media is not None else recording_media(recording)
    lesson = recording.lesson
    return {
        "id": recording.pk,
        "recording_id": recording.recording_id,
        "title": recording.title,
        "description": recording.description,
        "status": recording.status,
        "progress": recording.progress,
        "error": recording.error,
        "is_published": recording.is_published,
        "published_at": _iso(recording.published_at),
        "duration": recording.duration,
        "language": recording.language,
        "lesson_id": lesson.lesson_id if lesson else None,
        "lesson_title": lesson.title if lesson else None,
        "poster_url": media["poster_url"],
        "video_url": media["video_url"],
        "snapshot_count": recording.snapshot_count,
        "created_at": _iso(recording.created_at),
        "updated_at": _iso(recording.updated_at),
    }


def recording_detail_dict(
    recording: Recording,
    *,
    user,
    start: float | None = None,
    end: float | None = None,
    encoding: str = "full",
    mode: str = "full",
) -> dict:
    """Everything the player needs, with the code timeline (or one window of it)."""
    media = recording_media(recording)
    if mode == "audio":
        media = {**media, "renditions": [], "video_url": None}
    snapshots = timeline_window(recording=recording, start=start, end=end, delta=encoding == "delta")
    original_url = recording.original.url if is_admin(user) and recording.original else None
    return {
        **recording_summary_dict(recording, media=media),
        "original_url": original_url,
        "renditions": media["renditions"],
        "audio": media["audio"],
        "captions": media["captions"],
        "subtitles_url": media["subtitles_url"],
        **recording_urls(recording),
        "timeline": {"encoding": encoding, "start": start, "end": end, "count": len(snapshots)},
        "snapshots": snapshots,
    }


def recordings_list(*, user, status=None, published=None, lesson_key=None) -> QuerySet[Recording]:
    queryset = with_assets(visible_recordings_for(user=user))
    if status:
        queryset = queryset.filter(status=status)
    if published is not None:
        queryset = queryset.filter(is_published=published)
    if lesson_key:
        lesson = public_id_or_pk(lesson_key, public_field="lesson_id")
        queryset = queryset.filter(**{f"lesson__{field}": value for field, value in lesson.items()})
    return queryset.order_by("-created_at", "-id")
