"""Compare a student's code with the step's expected code without ever revealing the expected code.

Normalisation: whitespace; for HTML, tag-name case, attribute order and quote style; for CSS,
property case and spacing. The summary lists only the *student's* own lines, as typed; hints name what is
missing (a closing tag, an attribute, a misspelled property, an unbalanced bracket or quote).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from .css_properties import CSS_PROPERTIES

VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr !doctype".split())
HTML_TAGS = frozenset(
    "a abbr address article aside audio b blockquote body br button canvas caption code col div dl dt dd em "
    "embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input "
    "label legend li link main mark meta nav noscript ol option p pre script section select small source span "
    "strong style sub sup table tbody td textarea tfoot th thead title tr u ul video".split()
)
CLOSE_RATIO = 0.75

_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z!][a-zA-Z0-9-]*)([^<>]*?)(/?)\s*>", re.S)
_ATTR = re.compile(r"([^\s=/\"'<>]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CSS_DECL = re.compile(r"(?:^|[{;\s])([a-zA-Z-]+)\s*:\s*[^;{}]+", re.M)
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style\s*>", re.S | re.I)
_STYLE_INLINE = re.compile(r"(<style[^>]*>)(.*?)(</style\s*>|$)", re.I)
_STYLE_ATTR = re.compile(r"style\s*=\s*(\"[^\"]*\"|'[^']*')", re.I)


def _norm_attrs(raw: str) -> str:
    attrs = []
    for name, value in _ATTR.findall(raw):
        name = name.lower()
        if value:
            if value[0] in "\"'":
                value = value[1:-1]
            value = " ".join(value.split())
            if name == "style":
                value = _norm_css(value).rstrip(";")
            attrs.append(f'{name}="{value}"')
        else:
            attrs.append(name)
    return (" " + " ".join(sorted(attrs))) if attrs else ""


def _norm_tag(match: re.Match) -> str:
    closing, name, attrs, self_closing = match.groups()
    name = name.lower()
    if closing:
        return f"</{name}>"
    return f"<{name}{_norm_attrs(attrs)}>"


def _norm_css(text: str) -> str:
    text = re.sub(r"\s*([{}:;,])\s*", r"\1", text)
    text = re.sub(r";}", "}", text)
    text = re.sub(r"^([a-zA-Z-]+):", lambda m: m.group(1).lower() + ":", text)
    text = re.sub(r"([{;])([a-zA-Z-]+):", lambda m: m.group(1) + m.group(2).lower() + ":", text)
    return text


def normalize_line(line: str, language: str) -> str:
    line = " ".join(line.split())
    if language == "html":
        line = _TAG.sub(_norm_tag, line)
        line = re.sub(r">\s+<", "><", line)
    elif language == "css":
        line = _norm_css(line)
    return line


def normalize(code: str, language: str = "html") -> list[str]:
    """Normalised, non-empty lines of ``code``."""
    code = (code or "").replace("\r\n", "\n")
    if language == "html":
        code = _COMMENT.sub("", code)
        # Tags split over several lines are joined so attribute order can be compared.
        code = _TAG.sub(lambda m: " ".join(m.group(0).split()), code)
    if language == "css":
        flat = _norm_css(" ".join(re.sub(r"/\*.*?\*/", "", code, flags=re.S).split()))
        return [part for part in re.split(r"(?<=[{};])", flat) if part.strip()]
    lines = []
    in_style = False
    for line in code.split("\n"):
        if language == "html":
            lower = line.lower()
            starts, ends = "<style" in lower, "</style" in lower
            if in_style and not starts:
                line = _norm_css(" ".join(line.split())) if not ends else line
            if starts or ends:
                line = _STYLE_INLINE.sub(
                    lambda m: m.group(1) + _norm_css(" ".join(m.group(2).split())) + m.group(3), line
                )
            in_style = (in_style or starts) and not ends
        lines.append(normalize_line(line, language))
    return [line for line in lines if line]


@dataclass
class DiffResult:
    status: str  # correct | close | off_track
    similarity: float
    changed: int = 0
    missing: int = 0
    extra: int = 0
    first_difference_line: int | None = None
    lines: list[dict] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """What students (and the LLM) may see: counts, their own lines, hints. Never expected lines."""
        return {
            "similarity": round(self.similarity, 3),
            "changed_lines": self.changed,
            "missing_lines": self.missing,
            "extra_lines": self.extra,
            "first_difference_line": self.first_difference_line,
            "lines": self.lines[:10],
            "hints": self.hints[:5],
        }


def _original_line_numbers(code: str, language: str) -> list[int]:
    """1-based line number in the student's code for each normalised line (best effort)."""
    if language == "css":
        return _css_line_numbers(code)
    numbers = []
    for number, line in enumerate((code or "").replace("\r\n", "\n").split("\n"), start=1):
        if normalize_line(line, language):
            numbers.append(number)
    return numbers


def _css_line_numbers(code: str) -> list[int]:
    numbers = []
    line = 1
    pending = False
    for ch in re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), code or "", flags=re.S):
        if ch == "\n":
            line += 1
        elif not ch.isspace() and not pending:
            pending = True
            start = line
        if ch in "{};" and pending:
            numbers.append(start)
            pending = False
    if pending:
        numbers.append(start)
    return numbers


def compare(code: str, expected: str, language: str = "html") -> DiffResult:
    language = (language or "html").lower()
    student = normalize(code, language)
    target = normalize(expected, language)
    if not target:
        return DiffResult(
            status="correct" if student else "off_track",
            similarity=1.0 if student else 0.0,
            hints=specific_hints(code, "", language),
        )
    if student == target:
        return DiffResult(status="correct", similarity=1.0)
    matcher = difflib.SequenceMatcher(a=student, b=target, autojunk=False)
    line_ratio = matcher.ratio()
    char_ratio = difflib.SequenceMatcher(a="\n".join(student), b="\n".join(target), autojunk=False).ratio()
    similarity = max(line_ratio, char_ratio)
    found = _original_line_numbers(code, language)
    own_lines = (code or "").replace("\r\n", "\n").split("\n")

    def own(i: int) -> str:
        """The student's own line (as typed, not normalised) behind normalised line i."""
        at = number(i)
        return own_lines[at - 1].rstrip()[:200] if 0 < at <= len(own_lines) else student[i][:200]

    def number(i: int) -> int:
        if i < len(found):
            return found[i]
        return (found[-1] + 1) if found else 1

    result = DiffResult(status="close" if similarity >= CLOSE_RATIO else "off_track", similarity=similarity)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        line_no = number(i1)
        if result.first_difference_line is None:
            result.first_difference_line = line_no
        if tag == "replace":
            result.changed += max(i2 - i1, j2 - j1)
            for i in range(i1, i2):
                result.lines.append({"line": number(i), "kind": "changed", "code": own(i)})
        elif tag == "delete":
            result.extra += i2 - i1
            for i in range(i1, i2):
                result.lines.append({"line": number(i), "kind": "extra", "code": own(i)})
        elif tag == "insert":
            result.missing += j2 - j1
            result.lines.append({"line": line_no, "kind": "missing", "code": ""})
    result.hints = specific_hints(code, expected, language)
    return result


# --- specific hints -------------------------------------------------------------------------


def _tags(code: str) -> list[tuple[bool, str, str]]:
    code = _COMMENT.sub("", code or "")
    return [(bool(m.group(1)), m.group(2).lower(), m.group(3)) for m in _TAG.finditer(code)]


def unclosed_tags(code: str) -> list[str]:
    opened: Counter = Counter()
    closed: Counter = Counter()
    for is_close, name, _ in _tags(code):
        if name in VOID_TAGS:
            continue
        (closed if is_close else opened)[name] += 1
    return [name for name in opened if opened[name] > closed[name]]


def _attr_names(raw: str) -> set[str]:
    return {name.lower() for name, _ in _ATTR.findall(raw)} - {"/"}


def missing_attributes(code: str, expected: str) -> list[tuple[str, str]]:
    """(tag, attribute) pairs the expected code has on a tag that the student's same tag lacks."""
    mine: dict[str, set[str]] = {}
    for is_close, name, raw in _tags(code):
        if not is_close:
            mine.setdefault(name, set()).update(_attr_names(raw))
    out = []
    for is_close, name, raw in _tags(expected):
        if is_close or name not in mine:
            continue
        for attr in sorted(_attr_names(raw) - mine[name]):
            if (name, attr) not in out:
                out.append((name, attr))
    return out


def css_declarations(code: str, language: str) -> list[str]:
    if language == "css":
        chunks = [re.sub(r"/\*.*?\*/", "", code, flags=re.S)]
    else:
        chunks = _STYLE_BLOCK.findall(code) + [v[1:-1] for v in _STYLE_ATTR.findall(code)]
    props = []
    for chunk in chunks:
        chunk = re.sub(r"[^{}]*\{", "{", chunk) if "{" in chunk else chunk
        props.extend(p.lower() for p in _CSS_DECL.findall(chunk))
    return props


def misspelled_properties(code: str, language: str) -> list[tuple[str, str | None]]:
    out = []
    for prop in css_declarations(code, language):
        if prop.startswith("--") or prop.startswith("-") or prop in CSS_PROPERTIES:
            continue
        guess = difflib.get_close_matches(prop, CSS_PROPERTIES, n=1, cutoff=0.7)
        pair = (prop, guess[0] if guess else None)
        if pair not in out:
            out.append(pair)
    return out


def misspelled_tags(code: str) -> list[tuple[str, str]]:
    out = []
    for _, name, _ in _tags(code):
        if name in HTML_TAGS or name in VOID_TAGS or "-" in name:
            continue
        guess = difflib.get_close_matches(name, HTML_TAGS, n=1, cutoff=0.6)
        if guess and (name, guess[0]) not in out:
            out.append((name, guess[0]))
    return out


PAIRS = {")": "(", "]": "[", "}": "{"}


def unbalanced(code: str, language: str) -> list[str]:
    """Unbalanced brackets (outside strings/comments) and unclosed quotes, as hint strings."""
    problems = []
    stack: list[tuple[str, int]] = []
    text = _COMMENT.sub("", code or "") if language == "html" else code or ""
    check_brackets = language in ("css", "js", "javascript") or "<style" in text or "<script" in text
    line = 1
    quote: str | None = None
    quote_line = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            line += 1
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
            elif ch == "\n" and quote != "`":
                problems.append(f"A {quote} quote on line {quote_line} is never closed.")
                quote = None
        elif ch in "\"'`" and not (language == "html" and ch == "'" and _in_text(text, i)):
            quote, quote_line = ch, line
        elif check_brackets and ch in "([{":
            stack.append((ch, line))
        elif check_brackets and ch in ")]}":
            if stack and stack[-1][0] == PAIRS[ch]:
                stack.pop()
            else:
                problems.append(f"There is an extra '{ch}' on line {line}.")
        i += 1
    if quote:
        problems.append(f"A {quote} quote on line {quote_line} is never closed.")
    for ch, at in stack[-3:]:
        problems.append(f"The '{ch}' on line {at} is never closed.")
    return problems


def _in_text(text: str, i: int) -> bool:
    """True when position i of HTML is in text content (apostrophes there are words, not quotes)."""
    return text.rfind(">", 0, i) > text.rfind("<", 0, i)


def specific_hints(code: str, expected: str, language: str) -> list[str]:
    language = (language or "html").lower()
    hints: list[str] = []
    if language == "html":
        for name in unclosed_tags(code)[:3]:
            if not expected or name not in unclosed_tags(expected):
                hints.append(f"Your <{name}> tag is not closed: add </{name}> where that element ends.")
        for wrong, right in misspelled_tags(code)[:2]:
            hints.append(f"<{wrong}> is not an HTML tag. Did you mean <{right}>?")
        if expected:
            for tag, attr in missing_attributes(code, expected)[:3]:
                hints.append(f"Your <{tag}> tag is missing its {attr} attribute.")
            for name in sorted({n for c, n, _ in _tags(expected) if not c} - {n for c, n, _ in _tags(code) if not c})[
                :2
            ]:
                hints.append(f"This step needs a <{name}> element that your code does not have yet.")
    for prop, guess in misspelled_properties(code, language)[:3]:
        hints.append(
            f"'{prop}' is not a CSS property. Did you mean '{guess}'?" if guess else f"'{prop}' is not a CSS property."
        )
    hints.extend(unbalanced(code, language)[:3])
    return hints
