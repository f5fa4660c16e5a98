"""Publishing a recording, linking it to a lesson, and telling the lesson's students once."""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

import core.tasks
from core.errors import ServiceUnavailable
from core.public_urls import public_base
from courses import services as course_services
from courses.selectors import lesson_is_open_to_students

from . import tasks
from .changes import recording_changed
from .models import Recording

logger = logging.getLogger(__name__)


def recording_publish(*, recording: Recording, by) -> Recording:
    """Publish; the lesson's students are told once per recording, and only when they
    can open it (its lesson, module and course are published). The row lock makes two
    concurrent publishes take turns, so only the first tells them."""
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update(of=("self",))
            .select_related("lesson__module__course")
            .get(pk=recording.pk)
        )
        if recording.status != Recording.Status.READY:
            raise ValidationError(
                {"status": ["Only a transcoded (ready) recording can be published."]}, code="not_ready"
            )
        if not recording.is_published:
            recording_changed(
                recording_pk=recording.pk, is_published=True, published_at=recording.published_at or timezone.now()
            )
        _notify_students_once(recording)
        transaction.on_commit(partial(_queue_warm_json, recording.pk, public_base()))
    recording.refresh_from_db()
    return recording


def _notify_students_once(recording: Recording) -> None:
    """Tell the lesson's students about a published recording, once, and only when they
    can open the lesson. The conditional UPDATE claims the notice even where SELECT ...
    FOR UPDATE is a no-op (SQLite)."""
    if (
        recording.notified_at is None
        and lesson_is_open_to_students(lesson_id=recording.lesson_id)
        and Recording.objects.filter(pk=recording.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    ):
        _notify_students(recording)


def recording_lesson_link(*, recording: Recording, lesson) -> Recording:
    """Link a recording to ``lesson``, re-link it, or unlink it (None): what the upload's
    ``lesson`` does, for the studio's takes that never send one. A published recording
    linked to a lesson students can open tells them once, as publishing does."""
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update(of=("self",))
            .select_related("lesson__module__course")
            .get(pk=recording.pk)
        )
        if recording.lesson_id != (lesson.pk if lesson else None):
            recording_changed(recording_pk=recording.pk, lesson=lesson)
            recording.lesson = lesson
        if recording.is_published and lesson is not None:
            _notify_students_once(recording)
            transaction.on_commit(partial(_queue_warm_json, recording.pk, public_base()))
    recording.refresh_from_db()
    return recording


def _queue_warm_json(recording_pk: int, base: str) -> None:
    """Render the new version's JSON before the class asks for it (best effort), with the
    links of the host this publish came through (or PUBLIC_BASE_URL): its URLs are absolute."""
    try:
        core.tasks.enqueue(tasks.warm_recording_json, recording_pk, base)
    except ServiceUnavailable:
        logger.warning("Broker unavailable; recording %s renders on first request", recording_pk)


def _notify_students(recording: Recording) -> None:
    lesson = recording.lesson
    course_services.notify_enrolled_students(
        course=lesson.module.course,
        kind="recording_published",
        title=f"New lesson video: {lesson.title}",
        body=recording.title,
        data={"recording_id": recording.recording_id, "lesson_id": lesson.lesson_id},
    )


def recording_unpublish(*, recording: Recording, by) -> Recording:
    recording_changed(recording_pk=recording.pk, is_published=False)
    recording.refresh_from_db()
    return recording
