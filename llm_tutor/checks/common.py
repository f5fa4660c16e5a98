"""What every check runner shares: the problem a diagnosis names, a check's outcome, vocabulary matching."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass
class Problem:
    """One real problem in the student's code, said in one plain sentence (never the expected code)."""

    sentence: str
    line: int | None = None
    code: str = ""  # the student's own line
    syntax: bool = False

    def text(self) -> str:
        if self.line and self.code.strip():
            return f"{self.sentence} (line {self.line}: {self.code.strip()[:120]})"
        if self.line:
            return f"{self.sentence} (line {self.line})"
        return self.sentence


@dataclass
class Outcome:
    id: str
    kind: str
    passed: bool
    message: str
    problem: Problem | None = None  # a sharper sentence than the check's message, when found

    def public(self) -> dict:
        return {"id": self.id, "passed": self.passed, "message": self.message}


def source_line(code: str, line: int | None) -> str:
    if not line:
        return ""
    lines = (code or "").replace("\r\n", "\n").split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def closest(word: str, *vocabularies, cutoffs=(0.5, 0.75)) -> str | None:
    """The closest known word: the step's own vocabulary first (looser), then the language's."""
    word = word.lower()
    for vocabulary in vocabularies:
        # Look-alike letters (hl -> h1) and swapped letters (il -> li) beat any similarity score.
        for candidate in vocabulary:
            low = (candidate or "").lower()
            if (
                low
                and low != word
                and (word.replace("l", "1") == low or (len(word) <= 3 and sorted(word) == sorted(low)))
            ):
                return candidate
    for vocabulary, cutoff in zip(vocabularies, cutoffs, strict=False):
        candidates = [v for v in vocabulary if v and v.lower() != word]
        guess = difflib.get_close_matches(word, [c.lower() for c in candidates], n=1, cutoff=cutoff)
        if guess:
            return next(c for c in candidates if c.lower() == guess[0])
    return None


def line_of_offset(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
