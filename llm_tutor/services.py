"""The tutor: diff → retrieval → LLM (or offline) → guardrails → history.

``tutor_update`` and ``tutor_ask`` never raise because of the LLM: without one (not configured,
down, slow, circuit open, garbage) they answer offline from the diff and the curriculum.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from courses.models import Lesson, LessonProgress, LessonStep
from courses.services import lesson_progress_update

from . import offline, prompts
from .checks import Evaluation, evaluate_step
from .diff import DiffResult, compare
from .guardrails import StreamGuard, cap_length, count_sentences, guard_reply, repeat_start, vet_reply
from .index import IndexUnavailable
from .llm import LLMError, Provider, breaker_for, get_provider, model_name, provider_name
from .models import CodeBranch, TutorExchange
from .retrieval import retrieve
from .selectors import student_level, tutor_lesson_get, tutor_step_get

logger = logging.getLogger(__name__)

TOP_K = 3
# Below this retrieval score a question is not about the curriculum (bench_tutor: every eval question
# scores >= 0.25; 10 of 18 off-topic questions score lower).
MIN_ASK_SCORE = 0.23
CACHE_TTL = 600
_THINK = re.compile(r"<think>.*?(</think>|$)", re.S | re.I)
_LINE_NUMBER = re.compile(r"\bline \d+")
_CODE_REF = re.compile(r"\[[A-Z0-9][A-Z0-9.]+\]")

OnToken = Callable[[str], None]


@dataclass
class TutorResult:
    payload: dict
    timings: dict = field(default_factory=dict)


# Passages a step may cite: its own language's (a CSS step never cites HTML headings) and its own ids.
LANGUAGE_PREFIXES = {"html": ("html-", "a11y-"), "css": ("css-",), "js": ("js-",), "javascript": ("js-",)}


def _for_step_language(hits: list, step: LessonStep | None) -> list:
    prefixes = LANGUAGE_PREFIXES.get((step.language or "").lower()) if step else None
    if not prefixes:
        return hits
    own = set(step.curriculum_ids or ())
    return [h for h in hits if h.entry.id in own or h.entry.id.startswith(prefixes)]


def _retrieve(query: str, *, user, step: LessonStep | None, dense_parts: tuple[str, ...] | None = None) -> list:
    try:
        hits, _ = retrieve(
            query,
            k=TOP_K + 2 if step else TOP_K,
            level=student_level(user=user),
            boost_ids=tuple(step.curriculum_ids or ()) if step else (),
            dense_parts=dense_parts,
        )
    except IndexUnavailable:
        logger.warning("Curriculum index missing: tutor answers without references")
        return []
    return _for_step_language(hits, step)[:TOP_K] if step else hits


def _passage_ids(hits) -> str:
    """Part of a reply's cache key: a new curriculum (index version) means new passages, a new reply."""
    return ",".join(f"{h.entry.id}@{zlib.crc32(h.entry.explanation.encode()):x}" for h in hits)


def _cache_key(*parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"llm_tutor:reply:{digest}"


def _clean_llm(text: str) -> str:
    return _THINK.sub("", text or "").strip()


def _citation(reply: str, hits) -> str:
    """What is appended to cite the curriculum ('' when the reply cites a code already, or no notes)."""
    if hits and not _CODE_REF.search(reply):
        return f" [{hits[0].entry.code}]"
    return ""


class _LLMOutcome:
    """What the LLM step produced: a reply (None = answer offline, ``reason`` says why), whether it
    leaked, its time."""

    def __init__(self):
        self.reply: str | None = None
        self.leaked = False
        self.seconds = 0.0
        self.first_token_s: float | None = None
        self.chunks = 0
        self.reason = ""


def _ask_llm(
    provider: Provider, messages, *, expected: str, given: str, hits, facts, language: str, outcome: _LLMOutcome
) -> Iterator[str]:
    """Yields tokens that are safe to show while the LLM streams; fills ``outcome`` at the end.

    The reply is trimmed to the length limit first and cited after (a cut never drops the
    citation), and the citation is streamed too, so the streamed text is the final reply.
    """
    started = time.perf_counter()
    sentences = settings.LLM_REPLY_SENTENCES
    # Room for the citation that may follow: the model's text must fit before it.
    limit = settings.TUTOR_REPLY_MAX_CHARS - len(_citation("", hits))
    guard = StreamGuard(expected, given, limit=limit)
    parts: list[str] = []
    shown = ""
    overran = False
    looped: int | None = None
    stream = provider.chat_stream(messages)
    try:
        for token in stream:
            if not parts:
                outcome.first_token_s = time.perf_counter() - started
            parts.append(token)
            outcome.chunks += 1
            # Near the reply budget, or with the sentences asked for written, the reply may end
            # mid-sentence (then cut to whole sentences): only whole ones are shown from here.
            guard.whole_sentences = (
                outcome.chunks >= 0.6 * provider.max_tokens or count_sentences(guard.text) >= sentences
            )
            safe = guard.feed(token)
            if safe:
                shown += safe
                yield safe
            text_so_far = guard.text
            repeat = repeat_start(text_so_far)
            if repeat is not None:
                # The model loops: what came before the repeat is the reply (the repeat was held back).
                looped = repeat
                break
            if len(text_so_far) > limit + 200 or count_sentences(text_so_far) > sentences:
                # Stopped, not waited for: a model that ignores its budget (10,000 tokens), or that
                # has written the sentences asked for and goes on (its whole sentences are kept).
                overran = True
                break
    except LLMError as exc:
        logger.info("LLM unavailable, answering offline: %s", exc)
        outcome.seconds, outcome.reason = time.perf_counter() - started, "unavailable"
        return
    finally:
        stream.close()
    if overran or looped is not None:
        breaker_for(provider.name).success()  # we stopped it; the server itself was fine
    outcome.seconds = time.perf_counter() - started
    text = _clean_llm("".join(parts)[:looped])
    guard.flush()  # judges the whole text for leaks
    if guard.tripped:
        outcome.reply, outcome.leaked = text, True
        return
    cut = overran or (provider.last is not None and provider.last.done_reason == "length")
    instructions = messages[0]["content"] + "\n" + messages[-1]["content"].rsplit("\n\n", 1)[-1]
    body, reason = vet_reply(text, facts=facts, language=language, cut=cut, limit=limit, instructions=instructions)
    if body is None:
        logger.info("LLM reply replaced by the offline one (%s): %r", reason, text[:200])
        outcome.reason = reason
        return
    reply = body + _citation(body, hits)
    if reply.startswith(shown):
        rest = reply[len(shown) :]
        if rest:
            yield rest
    outcome.reply = reply


@dataclass
class TutorTurn:
    """One tutor exchange, validated and prepared (lesson, diff, passages); ``events()`` runs it.

    Everything that can fail with a 4xx happens before a TutorTurn exists, so a streaming
    response never starts for bad input.
    """

    kind: str
    user: object
    lesson: Lesson | None
    step: LessonStep | None
    code: str
    question: str
    language: str
    diff: DiffResult | None
    evaluation: Evaluation | None
    hits: list
    facts: list[str]  # the diagnosis and unmet checks the reply must explain
    offline_text: str
    cache_key: str
    started: float
    timings: dict = field(default_factory=dict)
    streaming_source: str = TutorExchange.Source.LLM  # of the tokens sent so far

    def events(self) -> Iterator[tuple[str, object]]:
        """Yields ("token", text)…, maybe ("reset", None) when streamed text is withdrawn,
        then ("done", TutorResult)."""
        streamed: list[str] = []
        try:
            answer = yield from self._answer(streamed)
        except GeneratorExit:
            # The student left mid-reply (closing the generator also closes the LLM stream):
            # keep what they were shown, so history and teachers still see the question.
            partial = {"reply": "".join(streamed), "source": self.streaming_source, "guarded": False}
            self._record(partial, interrupted=True)
            raise
        payload = self._finish(answer)
        if streamed and "".join(streamed).strip() != payload[self.reply_field].strip():
            yield "reset", None
        yield "done", TutorResult(payload, self.timings)

    @property
    def reply_field(self) -> str:
        return "explanation" if self.kind == TutorExchange.Kind.UPDATE else "answer"

    def run(self, on_token: OnToken | None = None) -> TutorResult:
        for event, value in self.events():
            if event == "token" and on_token:
                on_token(value)
            elif event == "done":
                return value
        raise RuntimeError("tutor turn ended without a result")  # pragma: no cover

    def _answer(self, streamed: list[str]):
        step, diff = self.step, self.diff
        expected = step.expected_code if step else ""
        # What the student already has is never secret: the starter code and their own code.
        given = f"{step.starter_code}\n{self.code}" if step else ""
        fallback = offline.safe_hint(diff, self.hits, step)
        timings = self.timings
        timings["llm_ms"] = 0.0
        source = TutorExchange.Source.OFFLINE
        guarded = False
        provider = get_provider()
        # A reply depends on who wrote it: another provider or model starts afresh.
        cache_key = f"{self.cache_key}:{provider_name()}:{model_name()}"
        cached = cache.get(cache_key) if provider else None
        reply = None
        if cached:
            reply, source = cached, TutorExchange.Source.CACHE
        elif provider and not self.hits:
            # Nothing in the curriculum to ground or cite a reply: the offline answer says so.
            logger.info("No curriculum passages: answering offline")
        elif provider and (diff is None or diff.status != "correct" or self.kind == TutorExchange.Kind.ASK):
            prompt_started = time.perf_counter()
            try:
                prompt = prompts.build(
                    kind=self.kind,
                    hits=self.hits,
                    language=self.language,
                    step=step,
                    status=diff.status if diff else None,
                    facts=self.facts,
                    code=self.code,
                    question=self.question,
                    num_ctx=provider.num_ctx,
                    max_tokens=provider.max_tokens,
                    count=provider.count_tokens,
                )
            except prompts.PromptTooLong as exc:
                logger.warning("Answering offline: %s", exc)
                prompt = None
            timings["prompt_ms"] = (time.perf_counter() - prompt_started) * 1000
            outcome = _LLMOutcome()
            if prompt is not None:
                timings["prompt_tokens"] = prompt.tokens
                for token in _ask_llm(
                    provider,
                    prompt.messages,
                    expected=expected,
                    given=given,
                    hits=self.hits,
                    facts=self.facts if self.kind == TutorExchange.Kind.UPDATE else [],
                    language=self.language,
                    outcome=outcome,
                ):
                    streamed.append(token)
                    yield "token", token
            timings["llm_ms"] = outcome.seconds * 1000
            if outcome.first_token_s is not None:
                timings["llm_first_token_ms"] = outcome.first_token_s * 1000
            # The server's count; for a stream we stopped, the chunks received (one token each).
            timings["generated_tokens"] = (provider.last and provider.last.eval_count) or outcome.chunks or None
            if provider.last is not None:
                timings["server_prompt_tokens"] = provider.last.prompt_eval_count
            if outcome.reply is not None:
                source = TutorExchange.Source.LLM
                reply = fallback if outcome.leaked else outcome.reply
                guarded = outcome.leaked
            timings["llm_outcome"] = "leaked" if outcome.leaked else outcome.reason or "ok"
        if reply is None:
            reply = self.offline_text
        check_started = time.perf_counter()
        reply, replaced = guard_reply(reply, expected=expected, given=given, fallback=fallback)
        guarded = guarded or replaced
        if guarded:
            # Even the hint must not leak (curriculum examples can resemble the answer).
            reply, still = guard_reply(reply, expected=expected, given=given, fallback="")
            if still or not reply:
                reply = GUARDED_REPLY
        elif source == TutorExchange.Source.LLM:
            cache.set(cache_key, reply, CACHE_TTL)
        timings["check_ms"] = (time.perf_counter() - check_started) * 1000
        if not streamed:
            streamed.append(reply)
            self.streaming_source = source
            yield "token", reply
        return {"reply": reply, "source": source, "guarded": guarded}

    def _record(self, answer: dict, interrupted: bool = False) -> TutorExchange:
        diff, step = self.diff, self.step
        return TutorExchange.objects.create(
            student=self.user,
            lesson=self.lesson,
            step_number=step.step_number if step else None,
            kind=self.kind,
            code=self.code,
            question=self.question,
            reply=answer["reply"],
            status=diff.status if diff else "",
            source=answer["source"],
            language=self.language,
            references=[h.reference() for h in self.hits],
            guarded=answer["guarded"],
            latency_ms=int((time.perf_counter() - self.started) * 1000),
            interrupted=interrupted,
        )

    def _finish(self, answer: dict) -> dict:
        elapsed = time.perf_counter() - self.started
        references = self._record(answer).references
        diff, step = self.diff, self.step
        self.timings["total_ms"] = elapsed * 1000
        self.timings["overhead_ms"] = self.timings["total_ms"] - self.timings["llm_ms"]
        common = {
            "status": diff.status if diff else None,
            "diff": diff.summary() if diff else None,
            "references": references,
            "source": str(answer["source"]),
            "language": self.language,
            "guarded": answer["guarded"],
            "interaction_duration": round(elapsed, 3),
        }
        reply = cap_length(answer["reply"])
        if self.kind == TutorExchange.Kind.ASK:
            return {"answer": reply, **common}
        branch = _save_branch(self.user, self.lesson, step, self.code)
        feedback = None
        if step.is_assignment:
            feedback = ASSIGNMENT_FEEDBACK.get(diff.status, ASSIGNMENT_FEEDBACK["off_track"])
        if diff.status == "correct":
            _mark_step_done(self.user, self.lesson, step)
        checks = self.evaluation.public_checks() if self.evaluation else []
        return {
            "explanation": reply,
            **common,
            "branch_id": branch.branch_id,
            "assignment_feedback": feedback,
            "checks": checks,
        }


GUARDED_REPLY = "I can't give you the answer, but you are on your way. Read the task again and try one small change."
ASSIGNMENT_FEEDBACK = {
    "correct": "Assignment complete: your code does what the task asks.",
    "close": "Almost there: fix the points in the hint, then submit again.",
    "off_track": "Not yet: your code does not do what the task asks. Read the hint and try again.",
}


def _facts(evaluation: Evaluation | None, diff: DiffResult | None) -> list[str]:
    """What the tutor's own analysis found, for the LLM to explain (the prompt calls them facts):
    the diagnosis first, then the requirements not met; the diff's hints without checks."""
    if evaluation is None:
        return prompts.facts_from_diff(diff.summary(), diff.status) if diff else []
    facts = []
    if (diagnosis := evaluation.diagnosis) is not None:
        # Prose only: the student's line is already in the prompt, and code in a fact
        # invites a small model to answer with code.
        facts.append(f"{diagnosis.sentence} (line {diagnosis.line})" if diagnosis.line else diagnosis.sentence)
    for outcome in evaluation.failed[:4]:
        if not any(outcome.message in fact for fact in facts):
            facts.append(outcome.message)
    return facts


def judge(code: str, step: LessonStep) -> tuple[DiffResult, Evaluation]:
    """The step's checks decide the verdict and the hints; the diff only shows the student's lines."""
    evaluation = evaluate_step(step, code)
    diff = compare(code, step.expected_code, step.language)
    diff.status = evaluation.status
    diff.hints = evaluation.hints()
    if evaluation.status == "correct":
        diff.lines, diff.first_difference_line = [], None
    elif evaluation.diagnosis is not None and evaluation.diagnosis.line:
        diff.first_difference_line = evaluation.diagnosis.line
    return diff, evaluation


def _mark_step_done(user, lesson, step) -> None:
    """A correct step is done in the student's progress (a set: repeating it changes nothing)."""
    if not getattr(user, "is_student", False):
        return
    done = LessonProgress.objects.filter(user=user, lesson=lesson).values_list("steps_completed", flat=True).first()
    if done and step.step_number in done:
        return
    lesson_progress_update(user=user, lesson=lesson, steps_completed=[step.step_number])


def start_update(user, *, lesson_id: str, step: int, code: str, language: str = "en") -> TutorTurn:
    """Validate and prepare a code update (404 for an unknown lesson/step); run it with ``.events()``."""
    started = time.perf_counter()
    lesson, lesson_step = tutor_step_get(user=user, lesson_id=lesson_id, step_number=step)
    diff_started = time.perf_counter()
    diff, evaluation = judge(code, lesson_step)
    timings = {"diff_ms": (time.perf_counter() - diff_started) * 1000, "sandbox_ms": sum(evaluation.sandbox_runs)}
    changed = " ".join(line["code"] for line in diff.lines[:5])
    step_text = f"{lesson_step.title}. {lesson_step.instructions[:300]}"
    query = f"{step_text} {' '.join(diff.hints[:3])} {changed[:300]}"
    # Dense search on the step's text and its hints (line numbers dropped): these repeat across
    # students and are embedded once; the student's own lines only feed the lexical (BM25) score.
    # The failed checks' own messages (authored, the same for every student) stand in for the hints,
    # which quote the student's line and would be embedded anew for each attempt.
    repeated = [o.message for o in evaluation.failed[:2]] or [_LINE_NUMBER.sub("a line", h) for h in diff.hints[:2]]
    dense_parts = (step_text, *repeated)
    retrieval_started = time.perf_counter()
    hits = _retrieve(query, user=user, step=lesson_step, dense_parts=dense_parts)
    timings["retrieval_ms"] = (time.perf_counter() - retrieval_started) * 1000
    key = _cache_key(
        "update",
        lesson.pk,
        lesson_step.step_number,
        "\n".join(_normalized(code, lesson_step)),
        evaluation.diagnosis.text() if evaluation.diagnosis else "",
        language,
        _passage_ids(hits),
    )
    return TutorTurn(
        kind=TutorExchange.Kind.UPDATE,
        user=user,
        lesson=lesson,
        step=lesson_step,
        code=code,
        question="",
        language=language,
        diff=diff,
        evaluation=evaluation,
        hits=hits,
        facts=_facts(evaluation, diff),
        offline_text=offline.update_reply(diff, hits, lesson_step),
        cache_key=key,
        started=started,
        timings=timings,
    )


def tutor_update(
    user, *, lesson_id: str, step: int, code: str, language: str = "en", on_token: OnToken | None = None
) -> TutorResult:
    return start_update(user, lesson_id=lesson_id, step=step, code=code, language=language).run(on_token)


def _normalized(code: str, step: LessonStep) -> list[str]:
    from .diff import normalize

    return normalize(code, step.language)


def _save_branch(user, lesson, step, code: str) -> CodeBranch:
    latest = CodeBranch.objects.filter(student=user, step=step).order_by("-timestamp", "-id").first()
    if latest is not None and latest.code == code:
        return latest
    return CodeBranch.objects.create(student=user, lesson=lesson, step=step, code=code)


def start_ask(
    user,
    *,
    question: str,
    lesson_id: str | None = None,
    step: int | None = None,
    code: str | None = None,
    language: str = "en",
) -> TutorTurn:
    """Validate and prepare a question (404 for an unknown lesson/step); run it with ``.events()``."""
    started = time.perf_counter()
    lesson = lesson_step = diff = evaluation = None
    if lesson_id:
        if step is not None:
            lesson, lesson_step = tutor_step_get(user=user, lesson_id=lesson_id, step_number=step)
        else:
            lesson = tutor_lesson_get(user=user, lesson_id=lesson_id)
    code = code or ""
    timings = {}
    if lesson_step is not None and code:
        diff_started = time.perf_counter()
        diff, evaluation = judge(code, lesson_step)
        timings["diff_ms"] = (time.perf_counter() - diff_started) * 1000
    query = question if lesson_step is None else f"{question} {lesson_step.title}"
    retrieval_started = time.perf_counter()
    hits = _retrieve(query, user=user, step=lesson_step)
    if lesson_step is None:
        # Off-curriculum questions ("what is the capital of France?") get no made-up reference.
        hits = [hit for hit in hits if hit.score >= MIN_ASK_SCORE]
    timings["retrieval_ms"] = (time.perf_counter() - retrieval_started) * 1000
    key = _cache_key(
        "ask",
        " ".join(question.lower().split()),
        lesson.pk if lesson else "",
        lesson_step.step_number if lesson_step else "",
        hashlib.sha256(code.encode()).hexdigest(),
        language,
        _passage_ids(hits),
    )
    return TutorTurn(
        kind=TutorExchange.Kind.ASK,
        user=user,
        lesson=lesson,
        step=lesson_step,
        code=code,
        question=question,
        language=language,
        diff=diff,
        evaluation=evaluation,
        hits=hits,
        facts=_facts(evaluation, diff),
        offline_text=offline.ask_reply(question, hits, diff, lesson_step),
        cache_key=key,
        started=started,
        timings=timings,
    )


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
    return start_ask(user, question=question, lesson_id=lesson_id, step=step, code=code, language=language).run(
        on_token
    )


def update_events(user, *, lesson_id: str, step: int, code: str, language: str = "en"):
    """Validates now (404s before any streaming starts), then returns the turn's event iterator."""
    return start_update(user, lesson_id=lesson_id, step=step, code=code, language=language).events()


def ask_events(user, *, question: str, lesson_id=None, step=None, code=None, language: str = "en"):
    return start_ask(user, question=question, lesson_id=lesson_id, step=step, code=code, language=language).events()


def run(events) -> TutorResult:
    """Drains an event iterator (non-streaming callers) and returns the final result."""
    for event, value in events:
        if event == "done":
            return value
    raise RuntimeError("tutor turn ended without a result")  # pragma: no cover
