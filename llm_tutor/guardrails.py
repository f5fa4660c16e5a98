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
    """Lines of the expected code the student does not already have (``given``: starter + own code).

    Only a line's word pairs that the student has not written count: a reply that repeats the
    student's own wrong line (``padding 16px;`` for ``padding: 16px;``) gives nothing away, while one
    that adds the missing part (``src`` for their ``scr``) does, even if most of the line is theirs.
    """
    given_lines = (given or "").splitlines()
    known = {_squash(line) for line in given_lines}
    known_pairs = set().union(*(_word_pairs(line) for line in given_lines)) if given_lines else set()
    out: list[SecretLine] = []
    for line in (expected or "").splitlines():
        squashed = _squash(line)
        if len(squashed) < MIN_LINE_CHARS or squashed in known or any(s.squashed == squashed for s in out):
            continue
        if _LONE_END_TAG.match(squashed):  # "add </table>" names a tag, it gives nothing away
            continue
        out.append(SecretLine(squashed, frozenset(_word_pairs(line) - known_pairs)))
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


_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")


def last_sentence_end(text: str) -> int:
    """Index just past the last full sentence of ``text`` (0 when there is none)."""
    end = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
    return end


def trim_to_sentences(text: str, limit: int) -> str:
    """The whole sentences of ``text`` that fit in ``limit`` characters ('' when not even one)."""
    text = (text or "").strip()
    return text[: last_sentence_end(text[: limit + 1])].rstrip()


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
        # Set by the caller near the end of the reply budget: the model may stop mid-sentence.
        self.whole_sentences = False

    def feed(self, token: str) -> str:
        """Returns the part of the text that is safe to show now ('' if nothing)."""
        if self.tripped:
            return ""
        self.text += token
        if not self.expected:
            return self._release(self._sentence_end(len(self.text)))
        if leaks(self.text, self.expected, self.given):
            self.tripped = True
            return ""
        return self._release(self._sentence_end(self._safe_end()))

    def _sentence_end(self, upto: int) -> int:
        """Past half the limit, whole sentences only: a reply that runs long is cut at its last full
        sentence, so what was shown stays the start of the final reply (no withdrawal). Before that,
        a sentence that begins like an earlier one is held: a looping model's repeat is cut, unseen."""
        half = self.limit // 2
        upto = min(upto, self.limit)
        if upto <= half and not self.whole_sentences:
            return max(self._hold_repeat(upto), self.released)
        end = min(last_sentence_end(self.text[: upto + 1]), upto)
        return max(half if end < half else end, self.released)

    def flush(self) -> str:
        """The rest of the text, once the stream has ended (nothing if it leaked)."""
        if self.tripped or leaks(self.text, self.expected, self.given):
            self.tripped = True
            return ""
        return self._release(len(self.text))

    def _safe_end(self) -> int:
        pending = self.text[self.released :]
        if "```" in pending:
            # Code blocks are dropped from replies (vet_reply): nothing from one on is shown early.
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

    def _hold_repeat(self, upto: int) -> int:
        text = self.text[:upto]
        start = max(last_sentence_end(text), text.rfind("\n") + 1)
        current = _SPACE.sub(" ", text[start:].strip().lower())
        if not current or start == 0:
            return upto
        for match in _SENTENCE.finditer(text[:start]):
            if _SPACE.sub(" ", match.group().strip().lower()).startswith(current):
                return start
        return upto

    def _release(self, upto: int) -> str:
        if self.released == 0:  # replies are shown stripped: leading whitespace is never streamed
            self.released = len(self.text) - len(self.text.lstrip())
        if "```" in self.text[: self.released + 1] or "```" in self.text[:upto]:
            upto = min(upto, self.text.find("```"))
        upto = min(upto, self.limit)
        if upto <= self.released:
            return ""
        out = self.text[self.released : upto]
        self.released = upto
        return out


# --- what a real model's reply may not be --------------------------------------------------------

# The prompt's own scaffolding, echoed back by small models.
_SCAFFOLD_TAG = re.compile(r"</?\s*student_(?:code|question)_?\s*>", re.I)
_SCAFFOLD_LINE = re.compile(
    r"^\s*(?:curriculum notes|facts found by the checker|the problem in the student's code|another problem|lesson step \d+|"
    r"task|checker result|problems found|common mistake)\b.*$\n?",
    re.I | re.M,
)
_CITATION = re.compile(r"\[[^\]]{1,40}\]")
_CODE_LINE = re.compile(r"^\s*(?:<[^>]+>.*|.*[;{}]\s*|def .*:|import \w+.*|print\(.*\)|for .* in .*:)\s*$", re.M)
_LETTERS = re.compile(r"[^\W\d_]", re.U)
_WORDS = re.compile(r"[A-Za-z\u00c0-\u024f']{2,}")
# What a fact names: <tag>, 'property', "value", and the word before attribute/property/element/tag.
_NAMED = re.compile(
    r"<\s*/?\s*([a-z][a-z0-9-]*)|'([^']{2,30})'|\"([^\"]{2,30})\"|\b([a-z][a-z0-9-]+)\s+(?:attribute|property|element|tag)\b",
    re.I,
)
_GENERIC = frozenset({"the", "a", "an", "its", "this", "that", "your", "css", "html", "an html", "new"})


_SENTENCE = re.compile(r"\s*[^.!?\n]*(?:[.!?][\"')\]]*|\n|$)")
_FENCED = re.compile(r"```.*?(?:```|$)", re.S)


def strip_scaffolding(text: str, instructions: str = "") -> str:
    """The reply without the prompt's own fences, labels, trim marks and repeated sentences, and
    without sentences copied from ``instructions`` (what the model was told to do)."""
    text = _SCAFFOLD_TAG.sub("", text or "").replace("…(trimmed)", "")
    text = _SCAFFOLD_LINE.sub("", text)
    text = _FENCED.sub("", text)  # code blocks: the tutor does not hand out code (the student's, echoed, or other)
    told = _SPACE.sub(" ", instructions.lower())
    seen: set[str] = set()
    kept = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group()
        key = _SPACE.sub(" ", sentence.strip().lower())
        if not key:
            kept.append(sentence)  # whitespace: kept, so the text stays what was streamed
            continue
        if key in seen or (len(key) > 20 and key.rstrip(".!?") in told):
            continue
        seen.add(key)
        kept.append(sentence)
    return "".join(kept).strip()


def repeat_start(text: str) -> int | None:
    """Where a finished sentence (or line) that already came earlier starts: a small model looping."""
    seen = set()
    for match in _SENTENCE.finditer(text or ""):
        sentence = match.group()
        key = _SPACE.sub(" ", sentence.strip().lower())
        if not key or not (sentence.endswith(("\n", ".", "!", "?")) or sentence[-1:] in "\"')]"):
            continue
        if key in seen:
            return match.start()
        seen.add(key)
    return None


def count_sentences(text: str) -> int:
    return len(_SENTENCE_END.findall(text or ""))


def named_terms(facts: list[str]) -> set[str]:
    terms = set()
    for fact in facts[:3]:
        for match in _NAMED.finditer(fact):
            term = next(group for group in match.groups() if group).lower()
            if term not in _GENERIC:
                terms.add(term)
    return terms


def vet_reply(
    text: str, *, facts: list[str], language: str, cut: bool, limit: int, instructions: str = ""
) -> tuple[str | None, str]:
    """(the reply as it may be shown, "ok") or (None, why it is replaced by the offline reply).

    ``cut``: the model stopped at its reply budget (``finish_reason: length``) or ran past the
    length limit; then only its whole sentences are kept. ``facts``: the problem the reply must be
    about (the diagnosis); a reply that names none of it ignored the problem.
    """
    had_code = "```" in (text or "")
    text = strip_scaffolding(text, instructions)
    if len(_CODE_LINE.findall(text)) >= 2:
        return None, "code_block"
    letters = _LETTERS.findall(text)
    if language == "en" and letters and sum(1 for c in letters if c.isascii()) / len(letters) < 0.8:
        return None, "wrong_language"
    if cut or len(text) > limit:
        text = trim_to_sentences(text, limit)
        if not text:
            return None, "cut_off"
    prose = _CITATION.sub(" ", re.sub(r"`[^`]*`|<[^>]*>", " ", text))
    prose = re.sub(r"(?i)\b(?:the )?answer is\b:?", " ", prose)
    if len(_WORDS.findall(prose)) < 4:
        return None, "code_block" if had_code else "empty"
    terms = named_terms(facts)
    if terms and not any(re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, re.I) for term in terms):
        return None, "off_problem"
    return text, "ok"
