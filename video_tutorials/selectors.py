"""Reads of recordings, shaped once: who sees what, media per lesson, the timeline."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from rest_framework.exceptions import NotFound

from core.ids import public_id_or_pk
from core.permissions import is_admin
from courses.selectors import open_lesson_filter

from .models import Recording, RecordingAsset, SnapshotChunk
from .timeline import chunk_window


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


def lesson_media_for(*, lessons, user) -> dict[int, list[Recording]]:
    """Lesson pk → the recordings of that lesson this user may see, with their assets (2
    queries for any number of lessons); ``LessonVideoSerializer`` is their shape. Non-admins
    get published, transcoded recordings only."""
    lesson_pks = [lesson if isinstance(lesson, int) else lesson.pk for lesson in lessons]
    result: dict[int, list[Recording]] = {pk: [] for pk in lesson_pks}
    if not lesson_pks:
        return result
    queryset = Recording.objects.filter(lesson_id__in=lesson_pks)
    if not is_admin(user):
        queryset = queryset.filter(is_published=True, status=Recording.Status.READY)
    for recording in queryset.prefetch_related("assets").order_by("created_at", "id"):
        result[recording.lesson_id].append(recording)
    return result


@dataclass(frozen=True)
class TimelineWindow:
    """The snapshots of one window of a recording's code timeline, in the player's shape."""

    recording_id: str
    encoding: str
    start: float | None
    end: float | None
    snapshots: list[dict]

    @property
    def count(self) -> int:
        return len(self.snapshots)


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


def recording_timeline(*, recording: Recording, start=None, end=None, encoding: str = "full") -> TimelineWindow:
    snapshots = timeline_window(recording=recording, start=start, end=end, delta=encoding == "delta")
    return TimelineWindow(recording.recording_id, encoding, start, end, snapshots)


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
