"""Step checks: what a step requires, judged on real parses of the student's code.

``evaluate_step`` runs a step's checks (authored in ``LessonStep.checks``, else derived from its
expected code) and names the first real problem (``Evaluation.diagnosis``) in one sentence with
the student's own line. Verdict: ``correct`` when every check passes, ``off_track`` when most
fail, else ``close``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from courses.step_checks import CheckError, validate_checks

from . import css, html, js
from .common import Outcome, Problem
from .derive import derive, page_for

__all__ = ["CheckError", "Evaluation", "Problem", "evaluate", "evaluate_step", "step_checks", "validate_checks"]


@dataclass
class Evaluation:
    status: str
    outcomes: list[Outcome]
    diagnosis: Problem | None = None
    problems: list[Problem] = field(default_factory=list)
    sandbox_runs: list[float] = field(default_factory=list)
    ms: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def hints(self) -> list[str]:
        """The diagnosis first, then the other failed requirements (each once)."""
        out: list[str] = []
        if self.diagnosis is not None:
            out.append(self.diagnosis.text())
        for outcome in self.failed:
            if outcome.message not in out and (self.diagnosis is None or outcome.message not in out[0]):
                out.append(outcome.message)
        return out

    def public_checks(self) -> list[dict]:
        return [o.public() for o in self.outcomes]


def step_checks(step) -> list[dict]:
    return list(step.checks or []) or derive(step.expected_code, step.language, _page(step))


def _page(step) -> str:
    page = getattr(step, "page_html", "") or ""
    if page:
        return page
    if (step.language or "html").lower() == "html":
        return step.starter_code or ""
    return ""


def evaluate_step(step, code: str) -> Evaluation:
    return evaluate(
        code=code,
        language=step.language,
        checks=step_checks(step),
        expected_code=step.expected_code,
        page_html=_page(step),
    )


def evaluate(
    *, code: str, language: str, checks: list[dict], expected_code: str = "", page_html: str = ""
) -> Evaluation:
    started = time.perf_counter()
    language = (language or "html").lower()
    docs: dict[str, object] = {}
    page = page_html or (page_for(expected_code) if language in ("js", "javascript") else "")

    def doc_for(prefix: str):
        if prefix not in docs:
            if prefix == "html":
                tags, attrs = html.vocabulary_of(expected_code)
                tags |= {
                    html.last_tag(c["selector"]) for c in checks if c.get("selector") and c["kind"].startswith("html")
                } - {None}
                attrs |= {c["attribute"] for c in checks if c.get("attribute")}
                docs[prefix] = html.analyse(code, vocabulary=frozenset(tags), attribute_vocabulary=frozenset(attrs))
            elif prefix == "css":
                docs[prefix] = css.analyse(code, vocabulary=css.vocabulary_of(expected_code, checks), language=language)
            else:
                docs[prefix] = js.analyse(code, vocabulary=js.vocabulary_of(expected_code, checks))
        return docs[prefix]

    if any(check["kind"] == "js.behaviour" for check in checks):
        js.plan_behaviour(doc_for("js"), checks, page)
    outcomes = []
    for check in checks:
        prefix = check["kind"].split(".")[0]
        doc = doc_for(prefix)
        if prefix == "html":
            outcome = html.RUNNERS[check["kind"]](doc, check)
        elif prefix == "css":
            outcome = css.RUNNERS[check["kind"]](doc, check)
        elif check["kind"] == "js.parses":
            outcome = js.run_parses(doc, check)
        else:
            outcome = js.RUNNERS[check["kind"]](doc, check, page=page)
        outcomes.append(outcome)
    evaluation = Evaluation(status="correct", outcomes=outcomes)
    for doc in docs.values():
        evaluation.problems.extend(doc.problems)
        if isinstance(doc, js.JsDoc):
            evaluation.sandbox_runs.extend(run.ms for run in doc.runs.values())
    if evaluation.failed:
        evaluation.diagnosis = _diagnose(evaluation, docs)
    evaluation.status = _verdict(outcomes, evaluation.diagnosis)
    evaluation.ms = (time.perf_counter() - started) * 1000
    return evaluation


def _verdict(outcomes: list[Outcome], diagnosis: Problem | None) -> str:
    failed = sum(not o.passed for o in outcomes)
    if not failed:
        return "correct"
    # A typo or a missing bracket is close, even when it makes every check fail.
    if failed * 2 > len(outcomes) and not (diagnosis is not None and diagnosis.syntax):
        return "off_track"
    return "close"


def _diagnose(evaluation: Evaluation, docs: dict) -> Problem:
    """The first real problem: a forbidden call, a syntax problem, a runaway script, a misspelt name, then
    the first failing requirement (with its sharper sentence when the runner found one)."""
    jsdoc = docs.get("js")
    if jsdoc is not None and jsdoc.forbidden is not None:
        return jsdoc.forbidden
    problems = sorted(evaluation.problems, key=lambda p: (not p.syntax, p.line or 0))
    syntax = [p for p in problems if p.syntax]
    if syntax:
        return syntax[0]
    for outcome in evaluation.failed:
        if outcome.problem is not None and any(word in outcome.problem.sentence for word in RUNAWAY):
            return outcome.problem
    if problems:
        return problems[0]
    first = next((o for o in evaluation.failed if o.problem is not None), evaluation.failed[0])
    return first.problem or Problem(first.message)


RUNAWAY = ("ran too long", "too much memory", "calls itself")
