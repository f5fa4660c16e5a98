"""HTML checks: html5lib (the WHATWG parser browsers follow) builds the tree that CSS selectors
(lxml + cssselect) query; the stdlib tokenizer gives each tag's line, so a diagnosis can quote
the student's own line (unclosed, misnested and misspelt tags, text in <head>, a missing '!')."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

import html5lib
from html5lib.constants import DataLossWarning
from lxml.cssselect import CSSSelector

from .common import Outcome, Problem, closest, source_line

VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
HTML_TAGS = frozenset(
    "a abbr address article aside audio b blockquote body br button canvas caption cite code col colgroup data "
    "datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta meter nav "
    "noscript object ol optgroup option output p param picture pre progress q s samp script search section select "
    "slot small source span strong style sub summary sup svg table tbody td template textarea tfoot th thead time "
    "title tr track u ul var video wbr center font marquee".split()
)
# Closed by the parser when the parent closes (a browser is fine without their end tag).
OPTIONAL_END = frozenset("html head body p li dt dd option optgroup tr td th thead tbody tfoot colgroup".split())
ATTRIBUTES = frozenset(
    "href src alt title id class style type name value placeholder for target rel width height lang charset "
    "content action method disabled checked selected required readonly colspan rowspan controls autoplay loop "
    "muted poster download hidden tabindex role min max step rows cols label list loading srcset sizes "
    "maxlength minlength pattern autofocus autocomplete multiple accept onclick onchange oninput onsubmit onload "
    "http-equiv media datetime cite open start reversed scope headers border align".split()
)
# Names like "foo:bar" are renamed for lxml; the student's own spelling is judged from the tokens.
warnings.filterwarnings("ignore", category=DataLossWarning)
# Characters XML (so lxml) refuses; a browser shows them as nothing useful either.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SELECTOR_TAG = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)?([#.:\[][^\s>+~]*)?$")


@dataclass
class Tag:
    name: str
    attrs: list[tuple[str, str | None]]
    line: int
    raw: str
    closing: bool = False
    parent: str = ""


class _Tokenizer(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.doctype = False
        self.texts: list[tuple[int, str, tuple[str, ...]]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text() or ""
        self.tags.append(Tag(tag, attrs, self.getpos()[0], raw, parent=self.stack[-1] if self.stack else ""))
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(Tag(tag, attrs, self.getpos()[0], self.get_starttag_text() or ""))

    def handle_endtag(self, tag):
        self.tags.append(Tag(tag, [], self.getpos()[0], "", closing=True))
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_decl(self, decl):
        if decl.lower().startswith("doctype"):
            self.doctype = True

    def handle_data(self, data):
        if data.strip():
            self.texts.append((self.getpos()[0], data, tuple(self.stack)))


def parse_tree(code: str):
    """The document as a browser builds it (implied <html>/<head>/<body> added), as an lxml tree."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), namespaceHTMLElements=False)
    document = parser.parse(_NOT_XML.sub(" ", code or ""))
    return document.getroot()


@lru_cache(maxsize=512)
def _selector(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def select(root, selector: str) -> list:
    return [el for el in _selector(selector)(root) if isinstance(el.tag, str)]


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def last_tag(selector: str) -> str | None:
    last = re.split(r"[\s>+~]+", selector.strip())[-1]
    match = _SELECTOR_TAG.match(last)
    return match.group(1).lower() if match and match.group(1) else None


def parent_tag(selector: str) -> str | None:
    parts = [p for p in re.split(r"[\s>+~]+", selector.strip()) if p]
    if len(parts) < 2:
        return None
    match = _SELECTOR_TAG.match(parts[-2])
    return match.group(1).lower() if match and match.group(1) else None


@dataclass
class HtmlDoc:
    code: str
    root: object
    tags: list[Tag]
    doctype: bool
    problems: list[Problem] = field(default_factory=list)
    vocabulary: frozenset = frozenset()
    attribute_vocabulary: frozenset = frozenset()

    def line(self, number: int | None) -> str:
        return source_line(self.code, number)

    def problem(self, sentence: str, line: int | None = None, syntax: bool = False) -> Problem:
        return Problem(sentence, line, self.line(line), syntax)

    def tag_line(self, element) -> int | None:
        """The line of the student's start tag for this element (the nth <x> of the tree is the nth <x> typed)."""
        name = element.tag
        same = [el for el in self.root.iter(name)]
        typed = [t for t in self.tags if t.name == name and not t.closing]
        index = next((i for i, el in enumerate(same) if el is element), None)
        if index is None or index >= len(typed):
            return None
        return typed[index].line


def analyse(
    code: str, *, vocabulary: frozenset = frozenset(), attribute_vocabulary: frozenset = frozenset()
) -> HtmlDoc:
    tokenizer = _Tokenizer()
    tokenizer.feed(code or "")
    tokenizer.close()
    doc = HtmlDoc(
        code=code or "",
        root=parse_tree(code),
        tags=tokenizer.tags,
        doctype=tokenizer.doctype,
        vocabulary=vocabulary,
        attribute_vocabulary=attribute_vocabulary,
    )
    doc.problems = _problems(doc, tokenizer)
    return doc


def _misspelt_tag_problem(doc: HtmlDoc, tag: Tag) -> Problem:
    if tag.name == "doctype":
        return doc.problem(
            "The doctype line is missing its exclamation mark: it starts with <! then DOCTYPE.", tag.line, True
        )
    if tag.name == "image":
        return doc.problem("<image> is not an HTML tag; spell the picture tag <img>.", tag.line, True)
    guess = closest(tag.name, doc.vocabulary, HTML_TAGS)
    if guess:
        return doc.problem(
            f"<{tag.name}> is not an HTML tag. Did you mean <{guess}>? Check the spelling.", tag.line, True
        )
    return doc.problem(f"<{tag.name}> is not an HTML tag: check its spelling.", tag.line, True)


HEAD_TAGS = frozenset("title meta link style script base noscript template".split())
SAME_NOT_NESTED = frozenset("p li h1 h2 h3 h4 h5 h6 a title button".split())


def _problems(doc: HtmlDoc, tokenizer: _Tokenizer) -> list[Problem]:
    problems: list[Problem] = _quote_problems(doc) + _angle_problems(doc)
    stack: list[Tag] = []
    body_closed = False
    for tag in doc.tags:
        known = tag.name in HTML_TAGS or "-" in tag.name
        if not tag.closing and body_closed and tag.name not in ("html",):
            problems.append(
                doc.problem(
                    f"This <{tag.name}> is outside the body (after </body>): move it inside the body, before </body>.",
                    tag.line,
                    True,
                )
            )
        if not tag.closing and tag.parent == "head" and tag.name not in HEAD_TAGS and known:
            problems.append(
                doc.problem(
                    f"The <{tag.name}> is inside the <head>, but what the page shows belongs in the body: move it inside <body>.",
                    tag.line,
                    True,
                )
            )
        if not tag.closing and tag.name in SAME_NOT_NESTED and stack and stack[-1].name == tag.name:
            problems.append(
                doc.problem(
                    f"Your <{tag.name}> tag is not closed: to close it, write </{tag.name}> with the slash.",
                    tag.line,
                    True,
                )
            )
        if tag.closing and tag.name == "body":
            body_closed = True
        if not tag.closing:
            if not known:
                problems.append(_misspelt_tag_problem(doc, tag))
            problems.extend(_attribute_problems(doc, tag))
            if tag.raw.count("<") > 1:
                problems.append(
                    doc.problem(
                        f"The <{tag.name}> tag is missing its > at the end: finish the tag with >.", tag.line, True
                    )
                )
            if tag.name not in VOID_TAGS:
                stack.append(tag)
            continue
        if tag.name in VOID_TAGS:
            continue
        if not any(open_.name == tag.name for open_ in stack):
            if known or tag.name != "doctype":
                problems.append(
                    doc.problem(f"</{tag.name}> closes a <{tag.name}> tag that was never opened.", tag.line, True)
                )
            continue
        while stack and stack[-1].name != tag.name:
            inner = stack.pop()
            if inner.name not in OPTIONAL_END and (inner.name in HTML_TAGS):
                problems.append(
                    doc.problem(
                        f"Your <{inner.name}> tag is not closed: add </{inner.name}> before </{tag.name}> "
                        "(close tags in the reverse order you opened them).",
                        inner.line,
                        True,
                    )
                )
        stack.pop()
    for open_ in stack:
        if open_.name not in {"html", "head", "body"} and open_.name in HTML_TAGS:
            problems.append(
                doc.problem(
                    f"Your <{open_.name}> tag is not closed: add </{open_.name}> where that element ends.",
                    open_.line,
                    True,
                )
            )
    opened = [t for t in doc.tags if not t.closing]
    head = next((t for t in opened if t.name == "head"), None)
    body = next((t for t in opened if t.name == "body"), None)
    if head and body and head.line > body.line or head and body and doc.tags.index(head) > doc.tags.index(body):
        problems.append(doc.problem("The <head> must come before the <body>: put them in that order.", head.line, True))
    for line, text, where in tokenizer.texts:
        if where and where[-1] == "head":
            problems.append(
                doc.problem(
                    f"The text '{text.strip()[:40]}' is straight inside <head>; words the page shows belong in the body.",
                    line,
                    True,
                )
            )
            break
    problems.sort(key=lambda p: p.line or 0)
    return problems


def _angle_problems(doc: HtmlDoc) -> list[Problem]:
    """A tag that runs into the next '<' without its '>' (``</head`` then ``<body>``)."""
    out = []
    for match in re.finditer(r"<(/?)([a-zA-Z][\w-]*)([^<>]*)(?=<)", doc.code):
        line = doc.code.count("\n", 0, match.start()) + 1
        out.append(
            doc.problem(
                f"The <{match.group(1)}{match.group(2)}> tag is missing its > at the end: finish the tag with >.",
                line,
                True,
            )
        )
        break
    return out


def _attribute_problems(doc: HtmlDoc, tag: Tag) -> list[Problem]:
    out = []
    for name, value in tag.attrs:
        unquoted = next(
            (
                v
                for n, v in tag.attrs
                if v and re.search(rf"{re.escape(n)}\s*=\s*{re.escape(v)}\s+{re.escape(name)}", tag.raw)
            ),
            None,
        )
        if name not in ATTRIBUTES and value is None and unquoted:
            out.append(
                doc.problem(
                    f"The value '{unquoted} {name}' has a space, so it needs quotes around it: put a quote at both ends.",
                    tag.line,
                    True,
                )
            )
            continue
        if name not in ATTRIBUTES and not name.startswith(("data-", "aria-", "on")):
            guess = closest(name, doc.attribute_vocabulary, ATTRIBUTES, cutoffs=(0.5, 0.7))
            if guess:
                out.append(
                    doc.problem(
                        f"'{name}' is not an attribute of <{tag.name}>. Did you mean '{guess}'? Check the spelling.",
                        tag.line,
                        True,
                    )
                )
            elif '"' in name or "'" in name:
                out.append(
                    doc.problem(
                        f"A quote in your <{tag.name}> tag is out of place: put quotes around each attribute value.",
                        tag.line,
                        True,
                    )
                )
        if value and ('"' in value or "'" in value or "<" in value):
            out.append(
                doc.problem(
                    f"The quotes around the {name} value of <{tag.name}> do not match: use one quote at each end.",
                    tag.line,
                    True,
                )
            )
    return out


def _quote_problems(doc: HtmlDoc) -> list[Problem]:
    """Tags whose quotes do not pair up (the tokenizer then reads the rest of the line as text)."""
    out = []
    for number, line in enumerate(doc.code.split("\n"), start=1):
        for raw in re.findall(r"<[a-zA-Z][^<>]*>?", line):
            inside = re.sub(r"=\s*\"[^\"]*\"|=\s*'[^']*'", "", raw)
            if inside.count('"') % 2 or inside.count("'") % 2:
                out.append(
                    doc.problem(
                        "A quote in this tag is missing: every attribute value needs a quote at both ends.",
                        number,
                        True,
                    )
                )
                break
            if re.search(r"=\s*[^\s\"'>]+[\"']", inside):
                out.append(
                    doc.problem(
                        "An attribute value is missing its opening quote: put a quote at both ends.", number, True
                    )
                )
                break
    return out


# --- check runners --------------------------------------------------------------------------


def _element_missing(doc: HtmlDoc, selector: str, message: str) -> Problem:
    name = last_tag(selector)
    parent = parent_tag(selector)
    if name:
        present = [el for el in doc.root.iter(name)]
        typed = [t for t in doc.tags if t.name == name and not t.closing]
        if present and parent and typed:
            return doc.problem(
                f"Your <{name}> is not inside the <{parent}>: move it in there. {message}", typed[0].line
            )
        if not typed:
            wrong = [t for t in doc.tags if not t.closing and t.name not in HTML_TAGS]
            for tag in wrong:
                if closest(tag.name, {name}, cutoffs=(0.4,)):
                    return _misspelt_tag_problem(doc, tag)
            # A real tag, but not the one asked for (<h2> for <h1>, <ol> for <ul>).
            for tag in doc.tags:
                if tag.closing or tag.name == name or tag.name not in HTML_TAGS or tag.name in doc.vocabulary:
                    continue
                if closest(tag.name, {name}, cutoffs=(0.5,)) or (tag.name[0] == name[0] == "h" and len(tag.name) == 2):
                    return doc.problem(
                        f"You wrote <{tag.name}> where the task asks for <{name}>: change the tag.", tag.line
                    )
    return Problem(message)


def run_element(doc: HtmlDoc, check: dict) -> Outcome:
    found = select(doc.root, check["selector"])
    if check.get("typed"):
        found = [el for el in found if any(t.name == el.tag and not t.closing for t in doc.tags)]
    outcome = Outcome(check["id"], check["kind"], True, check["message"])
    count = len(found)
    if "count" in check and count != check["count"] or count < check.get("min", 1 if "count" not in check else 0):
        outcome.passed = False
        outcome.problem = _element_missing(doc, check["selector"], check["message"]) if not found else None
        if found and outcome.problem is None:
            outcome.problem = Problem(
                f"You have {count} <{found[0].tag}> here. {check['message']}",
                doc.tag_line(found[-1]),
                doc.line(doc.tag_line(found[-1])),
            )
    elif "max" in check and count > check["max"]:
        outcome.passed = False
    elif check.get("before"):
        later = select(doc.root, check["before"])
        if later:
            order = {id(el): i for i, el in enumerate(doc.root.iter())}
            if order[id(found[0])] > order[id(later[0])]:
                outcome.passed = False
                line = doc.tag_line(found[0])
                outcome.problem = Problem(f"These are in the wrong order: {check['message']}", line, doc.line(line))
    return outcome


def _url_problem(value: str, schemes: list[str]) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme.lower() in schemes and parts.netloc:
        return None
    want = schemes[0] if schemes else "https"
    if parts.scheme.lower() in schemes and not parts.netloc:
        return f"The address '{value}' is missing the // after {parts.scheme}: — it starts {want}://."
    if re.match(r"^[a-z]+//", value, re.I):
        return f"The address '{value}' is missing the colon: a web address starts with {want}:// (colon, then two slashes)."
    if not value.strip():
        return "The address is empty: write the full web address between the quotes."
    return f"The address '{value}' has no {want}:// at the start, so the browser looks for a file on your own site."


def run_attribute(doc: HtmlDoc, check: dict) -> Outcome:
    outcome = Outcome(check["id"], check["kind"], True, check["message"])
    found = select(doc.root, check["selector"])
    name = check["attribute"].lower()
    if not found:
        outcome.passed = False
        outcome.problem = _element_missing(doc, check["selector"], check["message"])
        return outcome
    element = found[0]
    line = doc.tag_line(element)
    value = element.get(name)
    if value is None:
        outcome.passed = False
        typed = next((t for t in doc.tags if t.line == line and t.name == element.tag), None)
        for attr, _ in typed.attrs if typed else []:
            if attr != name and closest(attr, {name}, cutoffs=(0.5,)):
                outcome.problem = Problem(
                    f"'{attr}' is not the right attribute name. Did you mean '{name}'? Check the spelling.",
                    line,
                    doc.line(line),
                )
                return outcome
        outcome.problem = Problem(
            f"Your <{element.tag}> has no {name} attribute yet. {check['message']}", line, doc.line(line)
        )
        return outcome
    problem = None
    if not value.strip() and not check.get("present"):
        problem = f"The {name} of your <{element.tag}> is empty: write words between its quotes. {check['message']}"
    elif "equals" in check and value.strip() != check["equals"]:
        problem = f"The {name} value '{value}' is not what the task asks. {check['message']}"
    elif "pattern" in check and not re.fullmatch(check["pattern"], value.strip()):
        problem = f"The {name} value '{value}' is not right yet. {check['message']}"
    elif check.get("non_empty") and not value.strip():
        problem = f"The {name} of your <{element.tag}> is empty. {check['message']}"
    elif "url_schemes" in check:
        problem = _url_problem(value, [s.lower() for s in check["url_schemes"]])
    if problem:
        outcome.passed = False
        outcome.problem = Problem(problem, line, doc.line(line))
    return outcome


def run_text(doc: HtmlDoc, check: dict) -> Outcome:
    outcome = Outcome(check["id"], check["kind"], True, check["message"])
    found = select(doc.root, check["selector"])
    if not found:
        outcome.passed = False
        outcome.problem = _element_missing(doc, check["selector"], check["message"])
        return outcome
    flags = re.I if check.get("ignore_case") else 0
    for element in found:
        text = text_of(element)
        line = doc.tag_line(element)
        bad = None
        if "equals" in check:
            want = " ".join(str(check["equals"]).split())
            if (text.lower() != want.lower()) if flags else (text != want):
                bad = f"Your <{element.tag}> says '{text[:60]}', but the words should be exactly the ones the task gives: check the spelling and punctuation."
                if want.endswith("!") and not text.endswith("!") and text.lower() == want[:-1].lower():
                    bad = f"Your <{element.tag}> says '{text[:60]}': it is missing the exclamation mark (!) at the end."
        elif "pattern" in check and not re.fullmatch(check["pattern"], text, flags):
            bad = f"Your <{element.tag}> says '{text[:60]}'. {check['message']}"
        elif check.get("non_empty") and not text:
            bad = f"Your <{element.tag}> is empty: write some words inside it. {check['message']}"
        if bad:
            outcome.passed = False
            outcome.problem = Problem(bad, line, doc.line(line))
            return outcome
    return outcome


def run_well_formed(doc: HtmlDoc, check: dict) -> Outcome:
    syntax = [p for p in doc.problems if p.syntax]
    return Outcome(check["id"], check["kind"], not syntax, check["message"], syntax[0] if syntax else None)


def run_doctype(doc: HtmlDoc, check: dict) -> Outcome:
    if doc.doctype:
        return Outcome(check["id"], check["kind"], True, check["message"])
    bad = next((t for t in doc.tags if t.name == "doctype"), None)
    problem = (
        _misspelt_tag_problem(doc, bad)
        if bad
        else Problem(f"Your page has no doctype line yet. {check['message']}", 1, doc.line(1))
    )
    return Outcome(check["id"], check["kind"], False, check["message"], problem)


RUNNERS = {
    "html.well_formed": run_well_formed,
    "html.doctype": run_doctype,
    "html.element": run_element,
    "html.attribute": run_attribute,
    "html.text": run_text,
}


def vocabulary_of(expected: str) -> tuple[frozenset, frozenset]:
    """Tag and attribute names of the step's own code: misspellings are matched against these first."""
    tokenizer = _Tokenizer()
    tokenizer.feed(expected or "")
    tags = frozenset(t.name for t in tokenizer.tags)
    attrs = frozenset(a for t in tokenizer.tags for a, _ in t.attrs)
    return tags, attrs
