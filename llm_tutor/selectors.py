"""Reads for the tutor: the lesson and step asked about, history and branches, and the tutor's state."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from rest_framework.exceptions import NotFound, PermissionDenied

from courses.catalog_cache import cached_content
from courses.models import Lesson, LessonStep
from courses.selectors import access_lesson, can_see_drafts
from teachers.selectors import students_visible_to

from .index import IndexUnavailable, get_index
from .llm import status as llm_status
from .models import CodeBranch, TutorExchange

MAX_BRANCHES = 200


def tutor_lesson_get(*, user, lesson_id: str) -> Lesson:
    """A lesson the user may open (``access_lesson``), else the tutor's own 404. The key may
    come from a socket message, so it is any value: as text, and never longer than an id."""
    try:
        return access_lesson(user, str(lesson_id)[:40])
    except Http404 as exc:
        raise NotFound("No such lesson.", code="lesson_not_found") from exc


def tutor_step_get(*, user, lesson_id: str, step_number: int) -> tuple[Lesson, LessonStep]:
    """The lesson and step asked about. Students ask about the same few steps all lesson long:
    theirs come from the content cache (two queries a turn were a fifth of it, issue 14);
    staff, who may see drafts, read the database."""
    if can_see_drafts(user):
        return _lesson_and_step(user=user, lesson_id=lesson_id, step_number=step_number)
    key = f"tutor:step:{str(lesson_id)[:40]}:{step_number}"
    found = cached_content(
        key=key, build=lambda: _lesson_and_step_or_none(lesson_id=lesson_id, step_number=step_number)
    )
    if found is None:
        return _lesson_and_step(user=user, lesson_id=lesson_id, step_number=step_number)  # raises the right 404
    return found


def _lesson_and_step(*, user, lesson_id: str, step_number: int) -> tuple[Lesson, LessonStep]:
    lesson = tutor_lesson_get(user=user, lesson_id=lesson_id)
    step = LessonStep.objects.filter(lesson=lesson, step_number=step_number).first()
    if step is None:
        raise NotFound("This lesson has no such step.", code="step_not_found")
    return lesson, step


def _lesson_and_step_or_none(*, lesson_id: str, step_number: int) -> tuple[Lesson, LessonStep] | None:
    """What a student may open, or None: then the uncached path raises the right 404."""
    try:
        return _lesson_and_step(user=None, lesson_id=lesson_id, step_number=step_number)
    except NotFound:
        return None


def student_level(*, user) -> str | None:
    """The student's level (B7…SHS3) for retrieval; None for staff and students without one."""
    student = getattr(user, "student", None)  # a missing profile is an AttributeError too
    return (student.level or None) if student is not None else None


def branches_for(*, student, lesson: Lesson) -> QuerySet[CodeBranch]:
    """The student's own saved code for a lesson, newest first."""
    return (
        CodeBranch.objects.filter(student=student, lesson=lesson)
        .select_related("step")
        .order_by("-timestamp", "-id")[:MAX_BRANCHES]
    )


def exchanges_for(*, reader, student_user_id: str = "", lesson_id: str = "") -> QuerySet[TutorExchange]:
    """The reader's own exchanges, or a student's for their teacher (same school) or an admin."""
    target = reader
    if student_user_id and student_user_id != reader.user_id:
        target = get_user_model().objects.filter(user_id=student_user_id[:40]).first()
        if target is None:
            raise NotFound("No such student.")
        if not students_visible_to(user=reader).filter(user=target).exists():
            raise PermissionDenied("You may only read the history of your own students.")
    exchanges = TutorExchange.objects.filter(student=target).select_related("student", "lesson")
    if lesson_id:
        exchanges = exchanges.filter(lesson__lesson_id=lesson_id[:40])
    return exchanges.order_by("-created_at", "-id")


@dataclass(frozen=True)
class IndexStatus:
    version: str
    entries: int
    model: str


@dataclass(frozen=True)
class LLMStatus:
    """``llm.status()``, the provider's state (also reported on /readyz)."""

    provider: str
    configured: bool
    model: str | None
    circuit_open: bool
    reachable: bool | None
    model_present: bool | None
    error: str | None


@dataclass(frozen=True)
class TutorStatus:
    index: IndexStatus | None  # None until the index is built
    llm: LLMStatus
    mode: str  # "llm", or "offline" when the LLM cannot answer


def tutor_status(*, probe_llm: bool = True) -> TutorStatus:
    """What an admin (or readiness check) wants to know; never raises.

    ``probe_llm`` asks the provider whether it answers (Ollama's ``/api/tags``, ``GET /models``,
    the local model loaded) unless the circuit is open.
    """
    try:
        index = get_index()
        index_state = IndexStatus(version=index.version, entries=len(index), model=index.model)
    except IndexUnavailable:
        index_state = None
    llm = LLMStatus(**llm_status(probe=probe_llm))
    mode = "offline"
    if llm.configured and llm.reachable is not False and not llm.circuit_open:
        mode = "llm"
    return TutorStatus(index=index_state, llm=llm, mode=mode)
