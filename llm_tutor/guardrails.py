"""The tutor guides; it never hands over the step's expected code.

Every reply (LLM or offline) passes ``guard_reply`` before a student sees it. Streaming
uses ``StreamGuard``, which holds text back until it is safe to show.

A line of the answer counts as given away when the reply holds it verbatim (ignoring spacing,
quotes, tag case and attribute order) or when most of its word pairs appear in the reply in
order: "add color: red" gives away ``color: red;`` even without the colon and semicolon. Lines
the student already has (starter code, their own code) are never secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from .diff import _TAG, _norm_tag

MIN_LINE_CHARS = 8
MIN_BLOCK_CHARS = 15
LEAK_LINE_FRACTION = 0.5
# Share of a secret line's word pairs that, found in the reply, means the line was given away.
LEAK_PAIR_FRACTION = 0.6
# Streaming holds back what could still become a secret; past this many characters it is judged as it is.
MAX_HELD_CHARS = 240
_SPACE = re.compile(r"\s+")
# Hyphenated names are one word: naming ``background-color`` is not half of ``background-color: red``.
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LONE_END_TAG = re.compile(r"^</[a-z0-9-]+>$")
_QUOTES = str.maketrans({"'": '"', "`": '"'})
_WORD_ANY_CASE = re.compile(r"[a-z0-9]+", re.I)


def _normalise_tags(text: str) -> str:
    return _TAG.sub(_norm_tag, (text or "").translate(_QUOTES))


def _squash(text: str) -> str:
    """Compare ignoring whitespace, quote style, tag case and attribute order (a model may re-indent,
    re-quote or reorder the answer's code)."""
    return _SPACE.sub("", _normalise_tags(text)).lower()


def _word_pairs(text: str) -> set[tuple[str, str]]:
    words = _WORD.findall(_normalise_tags(text).lower())
    return set(zip(words, words[1:], strict=False))


@dataclass(frozen=True)
class SecretLine:
    squashed: str
    pairs: frozenset

    def given_away_in(self, squashed_reply: str, reply_pairs: set, known_pairs: frozenset | set = frozenset()) -> bool:
        if self.squashed in squashed_reply:
            return True
        secret = self.pairs - known_pairs
        if not secret:
            return False
        return len(secret & reply_pairs) / len(secret) >= LEAK_PAIR_FRACTION


def secret_lines(expected: str, given: str = "") -> list[SecretLine]:
    """Lines of the expected code the student does not already have (``given``: starter + own code)."""
    known = {_squash(line) for line in (given or "").splitlines()}
    out: list[SecretLine] = []
    for line in (expected or "").splitlines():
        squashed = _squash(line)
        if len(squashed) < MIN_LINE_CHARS or squashed in known or any(s.squashed == squashed for s in out):
            continue
        if _LONE_END_TAG.match(squashed):  # "add </table>" names a tag, it gives nothing away
            continue
        out.append(SecretLine(squashed, frozenset(_word_pairs(line))))
    return out


def _without_given(reply: str, given: str) -> str:
    for line in sorted({line.strip() for line in (given or "").splitlines()}, key=len, reverse=True):
        if len(line) >= 4:
            reply = reply.replace(line, " ")
    return reply


def leaks(reply: str, expected: str, given: str = "") -> bool:
    if not expected or not reply:
        return False
    # Verbatim containment is judged on the reply minus the student's own lines quoted in it
    # (``background-color: green;`` contains ``color: green;``); the word-pair test below sees the
    # whole reply, minus only the pairs the student typed, so a quoted half-line cannot hide the rest.
    text = _squash(_without_given(reply, given))
    whole = _squash(expected)
    # (What the student typed is theirs even when it equals the answer up to quote style.)
    if len(whole) >= MIN_BLOCK_CHARS and whole in text and whole not in _squash(given):
        return True
    lines = secret_lines(expected, given)
    if not lines:
        return False
    pairs = _word_pairs(reply)
    # Word pairs the student already typed are theirs: quoting their line back (``<DOCTYPE html>``
    # to show the missing '!') is not a leak; the pairs of the answer they lack still are.
    known = _word_pairs(given)
    found = sum(1 for line in lines if line.given_away_in(text, pairs, known))
    if len(lines) <= 2:
        # One or two secret lines: either of them is the answer.
        return found >= 1
    return found / len(lines) >= LEAK_LINE_FRACTION


def cap_length(text: str, limit: int | None = None) -> str:
    limit = limit or settings.TUTOR_REPLY_MAX_CHARS
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "), cut.rfind("\n"))
    if end >= limit // 2:
        return cut[: end + 1].rstrip()
    return cut[: limit - 1].rstrip() + "…"


def guard_reply(reply: str, *, expected: str, given: str = "", fallback: str) -> tuple[str, bool]:
    """(safe reply, replaced?). A reply that leaks the answer is replaced by ``fallback`` (a hint)."""
    if leaks(reply, expected, given):
        return cap_length(fallback), True
    return cap_length(reply), False


class StreamGuard:
    """Passes streamed tokens through, holding back only what could still become a secret line.

    The text so far is judged on every token; as soon as it leaks, nothing more is released.
    Held back: a trailing run of words that occur in secret lines (the start of a leak needs two
    of them side by side), an unfinished word, an open HTML tag and an open code fence.
    """

    def __init__(self, expected: str, given: str = "", limit: int | None = None):
        self.expected = expected
        self.given = given
        self.limit = limit or settings.TUTOR_REPLY_MAX_CHARS
        self.secret_words = {word for line in (expected or "").splitlines() for word in _WORD.findall(line.lower())}
        self.text = ""
        self.released = 0
        self.tripped = False

    def feed(self, token: str) -> str:
        """Returns the part of the text that is safe to show now ('' if nothing)."""
        if self.tripped:
            return ""
        self.text += token
        if not self.expected:
            return self._release(len(self.text))
        if leaks(self.text, self.expected, self.given):
            self.tripped = True
            return ""
        return self._release(self._safe_end())

    def flush(self) -> str:
        """The rest of the text, once the stream has ended (nothing if it leaked)."""
        if self.tripped or leaks(self.text, self.expected, self.given):
            self.tripped = True
            return ""
        return self._release(len(self.text))

    def _safe_end(self) -> int:
        pending = self.text[self.released :]
        if pending.count("```") % 2:
            return self.released + pending.find("```")
        if pending.rfind("<") > pending.rfind(">"):
            # An HTML tag is still open: its attributes may come in any order, so wait for its '>'.
            return self.released + pending.rfind("<")
        if len(pending) > MAX_HELD_CHARS:
            return len(self.text)
        end = len(pending)
        for match in reversed(list(_WORD_ANY_CASE.finditer(pending))):
            unfinished = match.end() == len(pending)
            if not unfinished and match.group().lower() not in self.secret_words:
                break
            end = match.start()
        return self.released + end

    def _release(self, upto: int) -> str:
        upto = min(upto, self.limit)
        if upto <= self.released:
            return ""
        out = self.text[self.released : upto]
        self.released = upto
        return out
