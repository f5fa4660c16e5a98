"""The tutor guides; it never hands over the step's expected code.

Every reply (LLM or offline) passes ``guard_reply`` before a student sees it. Streaming
uses ``StreamGuard``, which holds text back until it is safe to show.
"""

from __future__ import annotations

import re

from django.conf import settings

from .diff import _TAG, _norm_tag

MIN_LINE_CHARS = 8
MIN_BLOCK_CHARS = 15
LEAK_LINE_FRACTION = 0.5
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"'": '"', "`": '"'})


def _squash(text: str) -> str:
    """Compare ignoring whitespace, quote style, tag case and attribute order (a model may re-indent,
    re-quote or reorder the answer's code)."""
    text = _TAG.sub(_norm_tag, (text or "").translate(_QUOTES))
    return _SPACE.sub("", text).lower()


def secret_lines(expected: str, starter: str = "") -> list[str]:
    """Lines of the expected code a student does not already have in the starter code."""
    given = {_squash(line) for line in (starter or "").splitlines()}
    out = []
    for line in (expected or "").splitlines():
        squashed = _squash(line)
        if len(squashed) >= MIN_LINE_CHARS and squashed not in given and squashed not in out:
            out.append(squashed)
    return out


def leaks(reply: str, expected: str, starter: str = "") -> bool:
    if not expected or not reply:
        return False
    text = _squash(reply)
    whole = _squash(expected)
    if len(whole) >= MIN_BLOCK_CHARS and whole in text:
        return True
    lines = secret_lines(expected, starter)
    if not lines:
        return False
    found = sum(1 for line in lines if line in text)
    if len(lines) <= 2:
        # One or two secret lines: any of them verbatim is the answer.
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


def guard_reply(reply: str, *, expected: str, starter: str = "", fallback: str) -> tuple[str, bool]:
    """(safe reply, replaced?). A reply that leaks the answer is replaced by ``fallback`` (a hint)."""
    if leaks(reply, expected, starter):
        return cap_length(fallback), True
    return cap_length(reply), False


class StreamGuard:
    """Passes streamed tokens through, holding back text until it can't complete a secret line.

    Text is released line by line (or once a pending chunk is long enough that no secret line
    can hide in it unseen); as soon as the text so far leaks, nothing more is released.
    """

    def __init__(self, expected: str, starter: str = "", limit: int | None = None):
        self.expected = expected
        self.starter = starter
        self.limit = limit or settings.TUTOR_REPLY_MAX_CHARS
        self.secret = secret_lines(expected, starter)
        self.text = ""
        self.released = 0
        self.tripped = False

    def feed(self, token: str) -> str:
        """Returns the part of the text that is safe to show now ('' if nothing)."""
        if self.tripped:
            return ""
        self.text += token
        squashed = _squash(self.text)
        if self.expected and (
            leaks(self.text, self.expected, self.starter) or any(line in squashed for line in self.secret)
        ):
            self.tripped = True
            return ""
        pending = self.text[self.released :]
        if self.secret and "<" in pending and pending.rfind("<") > pending.rfind(">"):
            # An HTML tag is still open: its attributes may come in any order, so wait for its '>'.
            return self._release(self.released + pending.rfind("<"))
        if self.secret and any(line[:MIN_LINE_CHARS] in _squash(pending) for line in self.secret):
            # Something that starts like a secret line is pending: wait for the line to finish.
            cut = self.text.rfind("\n", self.released)
            if cut < 0:
                return ""
            return self._release(cut + 1)
        return self._release(len(self.text))

    def flush(self) -> str:
        """The rest of the text, once the stream has ended (nothing if it leaked)."""
        if self.tripped:
            return ""
        return self._release(len(self.text))

    def _release(self, upto: int) -> str:
        upto = min(upto, self.limit)
        if upto <= self.released:
            return ""
        out = self.text[self.released : upto]
        self.released = upto
        return out
