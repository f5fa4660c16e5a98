"""The tutor without an LLM: a reply from the diff, the best curriculum passage and a common mistake."""

from __future__ import annotations

import re

from .diff import DiffResult

_SENTENCE = re.compile(r"(?<=[.!?])\s+")

OPENERS = {
    "correct": "Well done! Your code does what this step asks.",
    "close": "You are close.",
    "off_track": "Let's get back on track.",
}


def first_sentences(text: str, count: int = 2, max_chars: int = 260) -> str:
    sentences = _SENTENCE.split((text or "").strip())
    out = ""
    for sentence in sentences[:count]:
        if out and len(out) + len(sentence) > max_chars:
            break
        out = f"{out} {sentence}".strip()
    return out[:max_chars]


def _cite(hit) -> str:
    return f"[{hit.entry.code}]"


def _passage(hits, count: int = 1) -> str:
    if not hits:
        return ""
    hit = hits[0]
    return f"{first_sentences(hit.entry.explanation, count)} {_cite(hit)}"


def _mistake(hits) -> str:
    for hit in hits[:2]:
        if hit.entry.common_mistakes:
            return f"A common mistake: {hit.entry.common_mistakes[0].rstrip('.')}."
    return ""


def update_reply(diff: DiffResult, hits, step=None) -> str:
    parts = [OPENERS.get(diff.status, OPENERS["off_track"])]
    if diff.status == "correct":
        if step is not None:
            parts.append("Move on to the next step when you are ready.")
        if hits:
            parts.append(f"Remember: {first_sentences(hits[0].entry.explanation, 1)} {_cite(hits[0])}")
        return " ".join(parts)
    if diff.hints:
        parts.append(diff.hints[0])
        if len(diff.hints) > 1 and "(line " not in diff.hints[0]:
            parts.append(diff.hints[1])
    if diff.first_difference_line and not (diff.hints and "(line " in diff.hints[0]):
        kinds = {line["kind"] for line in diff.lines}
        if "missing" in kinds and not diff.changed:
            parts.append(f"Something is still missing around line {diff.first_difference_line}.")
        else:
            parts.append(f"Look closely at line {diff.first_difference_line} of your code.")
    elif step is not None and not diff.hints:
        parts.append(f"Read the task again: {first_sentences(step.instructions, 1, 160)}")
    passage = _passage(hits)
    if passage:
        parts.append(passage)
    if not diff.hints:
        mistake = _mistake(hits)
        if mistake:
            parts.append(mistake)
    return " ".join(p for p in parts if p)


def ask_reply(question: str, hits, diff: DiffResult | None = None, step=None) -> str:
    if not hits:
        return "I could not find that in the Mr ICT notes. Try asking with different words, or ask your teacher."
    parts = [f"{hits[0].entry.title}: {first_sentences(hits[0].entry.explanation, 3, 360)} {_cite(hits[0])}"]
    mistake = _mistake(hits)
    if mistake:
        parts.append(mistake)
    if diff is not None and diff.status != "correct" and diff.hints:
        parts.append(f"In your code: {diff.hints[0]}")
    return " ".join(parts)


def safe_hint(diff: DiffResult | None, hits, step=None) -> str:
    """What replaces a reply that gave the answer away: a hint, never code."""
    parts = ["I can't give you the answer, but here is a hint."]
    if diff is not None and diff.hints:
        parts.append(diff.hints[0])
    elif diff is not None and diff.first_difference_line:
        parts.append(f"Look closely at line {diff.first_difference_line} of your code.")
    elif step is not None:
        parts.append(f"Read the task again: {first_sentences(step.instructions, 1, 160)}")
    if hits:
        parts.append(f"{first_sentences(hits[0].entry.explanation, 1)} {_cite(hits[0])}")
    return " ".join(parts)
