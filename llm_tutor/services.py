"""The tutor: diff → retrieval → LLM (or offline) → guardrails → history.

``tutor_update`` and ``tutor_ask`` never raise because of the LLM: without one (not configured,
down, slow, circuit open, garbage) they answer offline from the diff and the curriculum.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from rest_framework.exceptions import NotFound

from courses.models import Lesson, LessonStep, PublishStatus

from . import offline, prompts
from .diff import DiffResult, compare
from .guardrails import StreamGuard, cap_length, guard_reply
from .index import IndexUnavailable
from .models import CodeBranch, TutorExchange
from .ollama import OllamaClient, OllamaError, configured
from .retrieval import retrieve

logger = logging.getLogger(__name__)

TOP_K = 3
CACHE_TTL = 600
_THINK = re.compile(r"<think>.*?(</think>|$)", re.S | re.I)
_CODE_REF = re.compile(r"\[[A-Z0-9][A-Z0-9.]+\]")

OnToken = Callable[[str], None]


@dataclass
class TutorResult:
    payload: dict
    timings: dict = field(default_factory=dict)


def can_see_unpublished(user) -> bool:
    return bool(getattr(user, "is_admin", False) or getattr(user, "is_superuser", False))


def visible_lessons(user):
    lessons = Lesson.objects.select_related("module__course")
    if can_see_unpublished(user):
        return lessons
    published = PublishStatus.PUBLISHED
    return lessons.filter(Q(status=published) & Q(module__status=published) & Q(module__course__status=published))


def get_lesson(user, lesson_id: str) -> Lesson:
    lesson = visible_lessons(user).filter(lesson_id=str(lesson_id)[:40]).first()
    if lesson is None:
        raise NotFound("No such lesson.", code="lesson_not_found")
    return lesson


def get_step(user, lesson_id: str, step_number: int) -> tuple[Lesson, LessonStep]:
    lesson = get_lesson(user, lesson_id)
    step = LessonStep.objects.filter(lesson=lesson, step_number=step_number).first()
    if step is None:
        raise NotFound("This lesson has no such step.", code="step_not_found")
    return lesson, step


def student_level(user) -> str | None:
    try:
        return user.student.level or None
    except Exception:  # no student profile
        return None


def _retrieve(query: str, *, user, step: LessonStep | None) -> list:
    try:
        hits, _ = retrieve(
            query, k=TOP_K, level=student_level(user), boost_ids=tuple(step.curriculum_ids or ()) if step else ()
        )
    except IndexUnavailable:
        logger.warning("Curriculum index missing: tutor answers without references")
        return []
    return hits


def _cache_key(*parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"llm_tutor:reply:{digest}"


def _clean_llm(text: str) -> str:
    return _THINK.sub("", text or "").strip()


def _with_citation(reply: str, hits) -> str:
    if hits and not _CODE_REF.search(reply):
        reply = f"{reply} [{hits[0].entry.code}]"
    return reply


def _ask_llm(messages, *, expected: str, starter: str, on_token: OnToken | None) -> tuple[str | None, bool, float]:
    """(reply or None when the LLM could not answer, leaked?, LLM seconds)."""
    if not configured():
        return None, False, 0.0
    started = time.perf_counter()
    guard = StreamGuard(expected, starter)
    parts: list[str] = []
    try:
        for token in OllamaClient().chat_stream(messages):
            parts.append(token)
            safe = guard.feed(token)
            if safe and on_token:
                on_token(safe)
    except OllamaError as exc:
        logger.info("LLM unavailable, answering offline: %s", exc)
        return None, False, time.perf_counter() - started
    seconds = time.perf_counter() - started
    reply = _clean_llm("".join(parts))
    if len(reply) < 2 or not re.search(r"[A-Za-z]", reply):
        return None, False, seconds
    rest = guard.flush()
    if rest and on_token:
        on_token(rest)
    return reply, guard.tripped, seconds


def _answer(
    *,
    kind: str,
    user,
    lesson,
    step,
    code: str,
    question: str,
    language: str,
    diff: DiffResult | None,
    hits: list,
    offline_text: str,
    cache_key: str,
    on_token: OnToken | None,
    started: float,
) -> tuple[dict, dict]:
    expected = step.expected_code if step else ""
    starter = step.starter_code if step else ""
    fallback = offline.safe_hint(diff, hits, step)
    timings = {"llm_ms": 0.0}
    source = TutorExchange.Source.OFFLINE
    guarded = False
    cached = cache.get(cache_key) if configured() else None
    reply = None
    if cached:
        reply, source = cached, TutorExchange.Source.CACHE
        if on_token:
            on_token(reply)
    elif diff is None or diff.status != "correct" or kind == "ask":
        prompt_started = time.perf_counter()
        prompt = prompts.build(
            kind=kind,
            hits=hits,
            language=language,
            step=step,
            diff=diff.summary() if diff else None,
            status=diff.status if diff else None,
            code=code,
            question=question,
        )
        timings["prompt_ms"] = (time.perf_counter() - prompt_started) * 1000
        llm_reply, leaked, llm_seconds = _ask_llm(
            prompt.messages, expected=expected, starter=starter, on_token=on_token
        )
        timings["llm_ms"] = llm_seconds * 1000
        if llm_reply is not None:
            source = TutorExchange.Source.LLM
            reply = fallback if leaked else _with_citation(llm_reply, hits)
            guarded = leaked
    if reply is None:
        reply = offline_text
    reply, replaced = guard_reply(reply, expected=expected, starter=starter, fallback=fallback)
    guarded = guarded or replaced
    if guarded:
        # Even the hint must not leak (curriculum examples can resemble the answer).
        reply, still = guard_reply(reply, expected=expected, starter=starter, fallback="")
        if still or not reply:
            reply = (
                "I can't give you the answer, but you are on your way. Read the task again and try one small change."
            )
    elif source == TutorExchange.Source.LLM:
        cache.set(cache_key, reply, CACHE_TTL)
    elapsed = time.perf_counter() - started
    references = [h.reference() for h in hits]
    TutorExchange.objects.create(
        student=user,
        lesson=lesson,
        step_number=step.step_number if step else None,
        kind=kind,
        code=code,
        question=question,
        reply=reply,
        status=diff.status if diff else "",
        source=source,
        language=language,
        references=references,
        guarded=guarded,
        latency_ms=int(elapsed * 1000),
    )
    timings["total_ms"] = elapsed * 1000
    timings["overhead_ms"] = timings["total_ms"] - timings["llm_ms"]
    payload = {
        "status": diff.status if diff else None,
        "diff": diff.summary() if diff else None,
        "references": references,
        "source": str(source),
        "language": language,
        "guarded": guarded,
        "interaction_duration": round(elapsed, 3),
    }
    return {"reply": cap_length(reply), **payload}, timings


def tutor_update(
    user, *, lesson_id: str, step: int, code: str, language: str = "en", on_token: OnToken | None = None
) -> TutorResult:
    started = time.perf_counter()
    lesson, lesson_step = get_step(user, lesson_id, step)
    diff = compare(code, lesson_step.expected_code, lesson_step.language)
    changed = " ".join(line["code"] for line in diff.lines[:5])
    query = f"{lesson_step.title}. {lesson_step.instructions[:300]} {' '.join(diff.hints[:3])} {changed[:300]}"
    hits = _retrieve(query, user=user, step=lesson_step)
    offline_text = offline.update_reply(diff, hits, lesson_step)
    key = _cache_key("update", lesson.pk, lesson_step.step_number, "\n".join(_normalized(code, lesson_step)), language)
    answer, timings = _answer(
        kind="update",
        user=user,
        lesson=lesson,
        step=lesson_step,
        code=code,
        question="",
        language=language,
        diff=diff,
        hits=hits,
        offline_text=offline_text,
        cache_key=key,
        on_token=on_token,
        started=started,
    )
    branch = _save_branch(user, lesson, lesson_step, code)
    feedback = None
    if lesson_step.is_assignment:
        feedback = {
            "correct": "Assignment complete: your code does what the task asks.",
            "close": "Almost there: fix the points in the hint, then submit again.",
        }.get(diff.status, "Not yet: your code does not do what the task asks. Read the hint and try again.")
    payload = {
        "explanation": answer.pop("reply"),
        **answer,
        "branch_id": branch.branch_id,
        "assignment_feedback": feedback,
    }
    return TutorResult(payload, timings)


def _normalized(code: str, step: LessonStep) -> list[str]:
    from .diff import normalize

    return normalize(code, step.language)


def _save_branch(user, lesson, step, code: str) -> CodeBranch:
    latest = CodeBranch.objects.filter(student=user, step=step).order_by("-timestamp", "-id").first()
    if latest is not None and latest.code == code:
        return latest
    return CodeBranch.objects.create(student=user, lesson=lesson, step=step, code=code)


def tutor_ask(
    user,
    *,
    question: str,
    lesson_id: str | None = None,
    step: int | None = None,
    code: str | None = None,
    language: str = "en",
    on_token: OnToken | None = None,
) -> TutorResult:
    started = time.perf_counter()
    lesson = lesson_step = diff = None
    if lesson_id:
        if step is not None:
            lesson, lesson_step = get_step(user, lesson_id, step)
        else:
            lesson = get_lesson(user, lesson_id)
    code = code or ""
    if lesson_step is not None and code:
        diff = compare(code, lesson_step.expected_code, lesson_step.language)
    query = question if lesson_step is None else f"{question} {lesson_step.title}"
    hits = _retrieve(query, user=user, step=lesson_step)
    offline_text = offline.ask_reply(question, hits, diff, lesson_step)
    key = _cache_key(
        "ask",
        " ".join(question.lower().split()),
        lesson.pk if lesson else "",
        lesson_step.step_number if lesson_step else "",
        hashlib.sha256(code.encode()).hexdigest(),
        language,
    )
    answer, timings = _answer(
        kind="ask",
        user=user,
        lesson=lesson,
        step=lesson_step,
        code=code,
        question=question,
        language=language,
        diff=diff,
        hits=hits,
        offline_text=offline_text,
        cache_key=key,
        on_token=on_token,
        started=started,
    )
    payload = {"answer": answer.pop("reply"), **answer}
    return TutorResult(payload, timings)
