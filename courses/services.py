"""Writes to the learning content: enrolment, progress, authoring and the publishing workflow."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from notifications.services import notifications_send_many

from .lesson_media import has_transcoded_recording
from .models import (
    ContentTransition,
    Course,
    Enrollment,
    LearningDay,
    Lesson,
    LessonProgress,
    LessonStep,
    Module,
    PublishStatus,
)

MAX_POSITION_WITHOUT_DURATION = 6 * 3600  # a lesson recording is never longer than this


# --- enrolment and progress ------------------------------------------------------------


def _require_student(user) -> None:
    """Enrolments and progress are learner data: staff previewing the apps would inflate
    the dashboards and analytics, so they open lessons without keeping any."""
    if not user.is_student:
        raise PermissionDenied("Only student accounts enrol and save progress; staff can open lessons without it.")


def enrollment_create(*, user, course: Course) -> tuple[Enrollment, bool]:
    """Idempotent: a request retried on a flaky network enrols once."""
    _require_student(user)
    try:
        with transaction.atomic():
            return Enrollment.objects.get_or_create(user=user, course=course)
    except IntegrityError:
        return Enrollment.objects.get(user=user, course=course), False


def enrollment_delete(*, user, course: Course) -> None:
    Enrollment.objects.filter(user=user, course=course).delete()


def lesson_progress_update(
    *,
    user,
    lesson: Lesson,
    last_position_seconds: float | None = None,
    completed: bool | None = None,
    steps_completed: list[int] | None = None,
    time_spent_seconds: int | None = None,
) -> LessonProgress:
    _require_student(user)
    limit = lesson.duration_seconds or MAX_POSITION_WITHOUT_DURATION
    errors = {}
    if last_position_seconds is not None and last_position_seconds > limit:
        errors["last_position_seconds"] = [f"This lesson is only {limit} seconds long."]
    if steps_completed is not None:
        known = set(lesson.steps.values_list("step_number", flat=True))
        unknown = sorted(set(steps_completed) - known)
        if unknown:
            errors["steps_completed"] = [f"Step {unknown[0]} does not exist in this lesson."]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        enrollment_create(user=user, course=lesson.module.course)
        progress, _ = LessonProgress.objects.select_for_update().get_or_create(user=user, lesson=lesson)
        if last_position_seconds is not None:
            progress.last_position_seconds = last_position_seconds
        if steps_completed is not None:
            progress.steps_completed = sorted(set(progress.steps_completed) | set(steps_completed))
        if time_spent_seconds is not None:
            # Clients send the total they measured; a retried request must not add twice.
            progress.time_spent_seconds = max(progress.time_spent_seconds, time_spent_seconds)
        if completed and progress.completed_at is None:
            progress.completed_at = timezone.now()
        elif completed is False:
            progress.completed_at = None
        progress.save()
        # One row per day, however often progress is saved: the streak counts these.
        LearningDay.objects.bulk_create([LearningDay(user=user, date=timezone.localdate())], ignore_conflicts=True)
    return progress


# --- authoring -------------------------------------------------------------------------


def course_create(*, by, **fields) -> Course:
    return Course.objects.create(created_by=by, **fields)


def lesson_step_create(*, lesson: Lesson, **fields):
    """A retried create answers 400 (the step number is taken), never a second copy."""
    if LessonStep.objects.filter(lesson=lesson, step_number=fields.get("step_number")).exists():
        raise ValidationError({"step_number": ["This lesson already has a step with this number."]})
    try:
        with transaction.atomic():
            return LessonStep.objects.create(lesson=lesson, **fields)
    except IntegrityError as exc:
        raise ValidationError({"step_number": ["This lesson already has a step with this number."]}) from exc


def lesson_step_update(*, step, **fields):
    number = fields.get("step_number", step.step_number)
    taken = type(step).objects.filter(lesson_id=step.lesson_id, step_number=number).exclude(pk=step.pk).exists()
    if taken:
        raise ValidationError({"step_number": ["This lesson already has a step with this number."]})
    return content_update(instance=step, **fields)


def content_update(*, instance, **fields):
    for field, value in fields.items():
        setattr(instance, field, value)
    instance.save()
    return instance


# --- publishing workflow ---------------------------------------------------------------

TRANSITIONS = {
    "submit-for-review": ({PublishStatus.DRAFT}, PublishStatus.IN_REVIEW),
    "publish": ({PublishStatus.IN_REVIEW}, PublishStatus.PUBLISHED),
    "archive": ({PublishStatus.DRAFT, PublishStatus.IN_REVIEW, PublishStatus.PUBLISHED}, PublishStatus.ARCHIVED),
    "revert": ({PublishStatus.IN_REVIEW, PublishStatus.PUBLISHED, PublishStatus.ARCHIVED}, PublishStatus.DRAFT),
}


def _course_of(instance) -> Course:
    if isinstance(instance, Course):
        return instance
    if isinstance(instance, Module):
        return instance.course
    return instance.module.course


def _why_not_publishable(instance) -> str | None:
    """Published content always leads a student to something to learn."""
    published = PublishStatus.PUBLISHED
    if isinstance(instance, Lesson):
        if not (instance.steps.exists() or instance.content.strip() or has_transcoded_recording(instance)):
            return "A lesson needs steps, reading content or a transcoded recording before it can be published."
    if isinstance(instance, Module) and not instance.lessons.filter(status=published).exists():
        return "A module needs at least one published lesson before it can be published."
    if (
        isinstance(instance, Course)
        and not Lesson.objects.filter(module__course=instance, module__status=published, status=published).exists()
    ):
        return "A course needs a published module with a published lesson before it can be published."
    return None


@transaction.atomic
def content_transition(*, instance, action: str, by, notes: str = ""):
    """Moves a course, module or lesson along draft → in_review → published (or archive,
    revert), and records who did it, when and why."""
    sources, target = TRANSITIONS[action]
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    if instance.status not in sources:
        allowed = " or ".join(f"'{PublishStatus(source).label}'" for source in sorted(sources))
        raise ValidationError(
            {
                "status": [
                    f"Cannot {action.replace('-', ' ')} from '{instance.get_status_display()}': only from {allowed}."
                ]
            },
            code="invalid_transition",
        )
    if target == PublishStatus.PUBLISHED and (reason := _why_not_publishable(instance)):
        raise ValidationError({"status": [reason]}, code="not_publishable")

    previous = instance.status
    now = timezone.now()
    instance.status = target
    if notes:
        instance.review_notes = notes
    if target == PublishStatus.IN_REVIEW:
        instance.submitted_for_review_at = now
    if target == PublishStatus.PUBLISHED:
        instance.published_at = now
    instance.save()
    ContentTransition.objects.create(
        course=_course_of(instance),
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        content_object_repr=f"{type(instance).__name__}: {instance}"[:250],
        from_status=previous,
        to_status=target,
        notes=notes,
        performed_by=by,
    )
    return instance


# --- telling enrolled students ---------------------------------------------------------


def notify_enrolled_students(*, course: Course, kind: str, title: str, body: str = "", data: dict | None = None) -> int:
    """One notification per active student enrolled in ``course``; returns how many were sent."""
    recipients = [
        enrollment.user
        for enrollment in Enrollment.objects.filter(course=course, user__is_active=True).select_related("user")
    ]
    return len(notifications_send_many(recipients=recipients, kind=kind, title=title, body=body, data=data))
