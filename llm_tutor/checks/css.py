"""CSS checks on tinycss2's parse (rules, declarations, their lines; colours with its colour parser).

Values are compared as values, not text: ``green`` = ``#008000`` = ``rgb(0,128,0)``, ``0`` = ``0px``,
keywords in any case, ``margin``/``padding`` sides expanded, the first ``font-family`` compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tinycss2
import tinycss2.color3

from ..css_properties import CSS_PROPERTIES
from .common import Outcome, Problem, closest, source_line

LENGTH_PROPERTIES = frozenset(
    "width height min-width min-height max-width max-height margin margin-top margin-right margin-bottom "
    "margin-left padding padding-top padding-right padding-bottom padding-left font-size top right bottom left "
    "border-width border-radius gap row-gap column-gap letter-spacing word-spacing outline-width text-indent "
    "flex-basis border-top-width border-bottom-width border-left-width border-right-width".split()
)
COLOR_PROPERTIES = frozenset("color background-color border-color outline-color text-decoration-color".split())
SIDES = ("top", "right", "bottom", "left")
COLOR_NAMES = (
    "black white red green blue yellow orange purple pink brown gray grey silver gold navy teal maroon olive lime "
    "aqua cyan magenta fuchsia indigo violet crimson coral salmon khaki beige ivory tan turquoise skyblue "
    "lightblue darkblue lightgreen darkgreen darkred lightgray transparent".split()
)


@dataclass
class Declaration:
    name: str
    value: list  # tinycss2 tokens, whitespace and comments dropped
    line: int
    text: str


@dataclass
class Rule:
    selectors: list[str]
    prelude: str
    line: int
    declarations: list[Declaration] = field(default_factory=list)


@dataclass
class CssDoc:
    code: str
    rules: list[Rule]
    problems: list[Problem]
    vocabulary: frozenset = frozenset()
    line_offset: int = 0

    def line(self, number: int | None) -> str:
        return source_line(self.code, number)

    def problem(self, sentence: str, line: int | None, syntax: bool = False) -> Problem:
        return Problem(sentence, line, self.line(line), syntax)


def normalize_selector(selector: str) -> str:
    selector = " ".join(selector.split())
    selector = re.sub(r"\s*([>+~,])\s*", r"\1", selector)
    return selector.lower()


def _tokens(tokens) -> list:
    return [t for t in tokens if t.type not in ("whitespace", "comment")]


def stylesheets_in_html(code: str) -> list[tuple[str, int]]:
    """(css, first line) of each <style> block of an HTML document."""
    out = []
    for match in re.finditer(r"<style[^>]*>(.*?)(</style\s*>|$)", code or "", re.S | re.I):
        out.append((match.group(1), code.count("\n", 0, match.start(1))))
    return out


def analyse(code: str, *, vocabulary: frozenset = frozenset(), language: str = "css") -> CssDoc:
    chunks = stylesheets_in_html(code) if language == "html" else [(code or "", 0)]
    doc = CssDoc(code=code or "", rules=[], problems=[], vocabulary=vocabulary)
    for css, offset in chunks:
        _parse_into(doc, css, offset)
    doc.problems.sort(key=lambda p: p.line or 0)
    return doc


def _parse_into(doc: CssDoc, css: str, offset: int) -> None:
    from ..diff import unbalanced

    for problem in unbalanced(css, "css"):
        match = re.search(r"line (\d+)", problem)
        line = int(match.group(1)) + offset if match else None
        if "'{'" in problem and "never closed" in problem:
            doc.problems.append(
                doc.problem("This rule's curly brace { is never closed: add } after its last declaration.", line, True)
            )
        elif "extra '}'" in problem:
            doc.problems.append(
                doc.problem(
                    "There is a } without its opening curly brace {: every selector needs { after it.", line, True
                )
            )
        elif "quote" in problem:
            doc.problems.append(
                doc.problem("A quote here is never closed; colour names and sizes need no quotes at all.", line, True)
            )
    for node in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        line = node.source_line + offset
        if node.type == "error":
            doc.problems.append(
                doc.problem(
                    "The selector here is not followed by an opening curly brace {, so the rule has no block.",
                    line,
                    True,
                )
            )
            continue
        if node.type != "qualified-rule":
            continue
        prelude = tinycss2.serialize(node.prelude).strip()
        if ":" in prelude and ";" in prelude:
            doc.problems.append(
                doc.problem(
                    "The opening curly brace { is missing after the selector: write it before the first property.",
                    line,
                    True,
                )
            )
        rule = Rule([normalize_selector(s) for s in prelude.split(",") if s.strip()], prelude, line)
        for selector in rule.selectors:
            pseudo = re.search(r"(::?)([a-z-]+)", selector)
            if pseudo and pseudo.group(2) not in PSEUDO_CLASSES:
                guess = closest(pseudo.group(2), PSEUDO_CLASSES, cutoffs=(0.6,))
                sentence = f"':{pseudo.group(2)}' is not a CSS pseudo-class." + (
                    f" Did you mean ':{guess}'? Check the spelling." if guess else ""
                )
                doc.problems.append(doc.problem(sentence, line, True))
            elif pseudo and pseudo.group(1) == "::" and pseudo.group(2) in PSEUDO_CLASSES:
                doc.problems.append(
                    doc.problem(
                        f"Use one colon, not two (double colon), before {pseudo.group(2)}: a pseudo-class takes a single colon.",
                        line,
                        True,
                    )
                )
        for item in tinycss2.parse_declaration_list(node.content, skip_comments=True, skip_whitespace=True):
            item_line = item.source_line + offset
            if item.type == "error":
                doc.problems.append(
                    doc.problem(
                        "A property here is missing its colon ':' between the name and the value.", item_line, True
                    )
                )
                continue
            if item.type != "declaration":
                continue
            value = _tokens(item.value)
            declaration = Declaration(item.lower_name, value, item_line, tinycss2.serialize(item.value).strip())
            rule.declarations.append(declaration)
            doc.problems.extend(_declaration_problems(doc, declaration))
        doc.rules.append(rule)


PSEUDO_CLASSES = frozenset(
    "hover active focus visited link first-child last-child nth-child checked disabled before after root "
    "first-of-type last-of-type not focus-within focus-visible placeholder selection".split()
)


def _declaration_problems(doc: CssDoc, d: Declaration) -> list[Problem]:
    out = []
    if not d.name.startswith("-") and d.name not in CSS_PROPERTIES:
        guess = closest(d.name, doc.vocabulary, CSS_PROPERTIES, cutoffs=(0.6, 0.7))
        if guess:
            out.append(
                doc.problem(
                    f"'{d.name}' is not a CSS property. Did you mean '{guess}'? Check the spelling.", d.line, True
                )
            )
        else:
            out.append(doc.problem(f"'{d.name}' is not a CSS property: check its spelling.", d.line, True))
    if any(t.type == "literal" and t.value == ":" for t in d.value):
        out.append(
            doc.problem(
                "A semicolon ';' is missing at the end of this declaration, so the next line joins it.", d.line, True
            )
        )
    for i, token in enumerate(d.value):
        if token.type == "number" and token.value != 0 and d.name in LENGTH_PROPERTIES:
            following = d.value[i + 1] if i + 1 < len(d.value) else None
            if (
                following is not None
                and following.type == "ident"
                and following.lower_value in ("px", "em", "rem", "pt", "vh", "vw")
            ):
                out.append(
                    doc.problem(
                        f"There is a space between {token.representation} and its unit: write them together, with no space.",
                        d.line,
                        True,
                    )
                )
            else:
                out.append(
                    doc.problem(
                        f"The number {token.representation} has no unit: lengths need one, such as px, straight after the number.",
                        d.line,
                        True,
                    )
                )
            break
    if d.name in COLOR_PROPERTIES or d.name == "background":
        for token in d.value:
            if token.type == "string":
                out.append(doc.problem("A colour takes no quotes: remove the quote marks around it.", d.line, True))
                break
            if token.type == "ident" and d.name in COLOR_PROPERTIES and tinycss2.color3.parse_color(token) is None:
                if token.lower_value in ("inherit", "initial", "unset", "currentcolor"):
                    continue
                if re.fullmatch(r"[0-9a-f]{3}|[0-9a-f]{6}", token.lower_value):
                    out.append(doc.problem(f"A colour code needs a hash: write # before {token.value}.", d.line, True))
                else:
                    guess = closest(token.lower_value, COLOR_NAMES, cutoffs=(0.6,))
                    hint = f" Did you mean '{guess}'? Check the spelling." if guess else " Check its spelling."
                    out.append(doc.problem(f"'{token.value}' is not a colour name.{hint}", d.line, True))
                break
            if token.type in ("number", "dimension") and d.name in COLOR_PROPERTIES:
                out.append(doc.problem("A colour code needs a hash: write # before the digits.", d.line, True))
                break
    if d.name == "font-family":
        idents = [t for t in d.value if t.type in ("ident", "string")]
        if len(idents) > 1 and not any(t.type == "literal" and t.value == "," for t in d.value):
            out.append(doc.problem("Font names are separated by a comma: put a comma between them.", d.line, True))
    return out


# --- values --------------------------------------------------------------------------------


def _component(token):
    color = tinycss2.color3.parse_color(token) if token.type in ("ident", "hash", "function") else None
    if color is not None and not (token.type == "ident" and token.lower_value in ("inherit", "initial", "unset")):
        return ("color", tuple(round(c, 3) for c in color))
    if token.type == "dimension":
        return ("length", float(token.value), token.lower_unit)
    if token.type == "number":
        return ("length", 0.0, "") if token.value == 0 else ("number", float(token.value))
    if token.type == "percentage":
        return ("percent", float(token.value))
    if token.type == "ident":
        return ("ident", token.lower_value)
    if token.type == "string":
        return ("ident", token.value.lower())
    return ("other", tinycss2.serialize([token]).lower())


def _normal_length(c):
    if c[0] == "length" and c[1] == 0:
        return ("length", 0.0, "")
    return c


def components(tokens) -> list:
    return [_normal_length(_component(t)) for t in tokens if not (t.type == "literal" and t.value == ",")]


def parse_value(text: str) -> list:
    return _tokens(tinycss2.parse_component_value_list(text))


def _sides(values: list) -> list:
    if not values or len(values) > 4:
        return values
    top = values[0]
    right = values[1] if len(values) > 1 else top
    bottom = values[2] if len(values) > 2 else top
    left = values[3] if len(values) > 3 else right
    return [top, right, bottom, left]


def _families(tokens) -> list[str]:
    names, current = [], []
    for t in tokens:
        if t.type == "literal" and t.value == ",":
            names.append(" ".join(current))
            current = []
        elif t.type in ("ident", "string"):
            current.append(t.value.lower())
    if current:
        names.append(" ".join(current))
    return names


def effective(rules: list[Rule], prop: str):
    """The value a set of rules gives ``prop`` (later wins), as (components, declaration)."""
    base = prop.split("-")[0]
    value, where = None, None
    for rule in rules:
        for d in rule.declarations:
            if d.name == prop:
                value, where = components(d.value), d
            elif prop in ("margin", "padding") and d.name.startswith(prop + "-") and value is not None:
                side = d.name.split("-")[1]
                if side in SIDES and len(value) == 4:
                    value = list(value)
                    value[SIDES.index(side)] = components(d.value)[0] if d.value else None
                    where = d
            elif base in ("margin", "padding") and d.name == base and prop != base:
                sides = _sides(components(d.value))
                side = prop.split("-")[1]
                if len(sides) == 4 and side in SIDES:
                    value, where = [sides[SIDES.index(side)]], d
            elif prop == "background-color" and d.name == "background":
                colors = [c for c in components(d.value) if c[0] == "color"]
                if colors:
                    value, where = colors[:1], d
        if prop in ("margin", "padding") and value is not None:
            value = _sides(value)
    if value is None and prop in ("margin", "padding"):
        longhands = [effective(rules, f"{prop}-{side}")[0] for side in SIDES]
        if all(longhands):
            value = [v[0] for v in longhands]
            where = next(d for r in rules for d in r.declarations if d.name.startswith(prop + "-"))
    return value, where


def value_matches(prop: str, got: list, where: Declaration, wanted: str) -> bool:
    want = components(parse_value(wanted))
    if prop == "font-family":
        families = _families(where.value) if where else []
        wanted_families = _families(parse_value(wanted))
        return bool(families and wanted_families) and families[0] == wanted_families[0]
    if prop in ("margin", "padding"):
        return _sides(want) == got
    if prop == "border" or prop.startswith("border-") and len(want) > 1:
        return sorted(map(str, want)) == sorted(map(str, got))
    return want == got


# --- check runners --------------------------------------------------------------------------


def run_parses(doc: CssDoc, check: dict) -> Outcome:
    syntax = [p for p in doc.problems if p.syntax]
    return Outcome(check["id"], check["kind"], not syntax, check["message"], syntax[0] if syntax else None)


def _selector_problem(doc: CssDoc, wanted: str, message: str) -> Problem:
    bare = wanted.lstrip(".#")
    for rule in doc.rules:
        for selector in rule.selectors:
            if selector == wanted:
                continue
            if selector.lstrip(".#") == bare:
                if wanted.startswith("."):
                    sentence = f"'{selector}' does not select class=\"{bare}\": a class selector starts with a dot (.)."
                elif wanted.startswith("#"):
                    sentence = f"'{selector}' does not select id=\"{bare}\": an id selector starts with a hash (#)."
                else:
                    sentence = f"'{selector}' selects by class or id, but the task is about every <{bare}>: write the tag name with no dot or hash."
                return doc.problem(sentence, rule.line)
            if closest(selector, {wanted}, cutoffs=(0.6,)):
                return doc.problem(
                    f"'{selector}' is not the selector the task asks for: check its spelling. {message}", rule.line
                )
    return Problem(message)


def run_declaration(doc: CssDoc, check: dict) -> Outcome:
    outcome = Outcome(check["id"], check["kind"], True, check["message"])
    wanted = normalize_selector(check["selector"])
    prop = check["property"].lower()
    rules = [r for r in doc.rules if wanted in r.selectors]
    if not rules:
        outcome.passed = False
        outcome.problem = _selector_problem(doc, wanted, check["message"])
        return outcome
    got, where = effective(rules, prop)
    if got is None or not any(got):
        outcome.passed = False
        for rule in rules:
            for d in rule.declarations:
                if d.name not in CSS_PROPERTIES and not d.name.startswith("-"):
                    outcome.problem = doc.problem(
                        f"'{d.name}' is not a CSS property. Did you mean '{prop}'? Check the spelling.", d.line
                    )
                    return outcome
        other = next((d for r in rules for d in r.declarations if d.name != prop), None)
        if other is not None and prop == "color" and other.name.startswith("background"):
            outcome.problem = doc.problem(
                f"{other.name} paints the background, not the text: the colour of the text is set with color.",
                other.line,
            )
        elif other is not None:
            outcome.problem = doc.problem(
                f"This sets {other.name}, but the task is about {prop}: use that property instead. {check['message']}",
                other.line,
            )
        else:
            outcome.problem = doc.problem(
                f"Your {check['selector']} rule does not set {prop} yet. {check['message']}", rules[0].line
            )
        return outcome
    if check.get("any_value"):
        return outcome
    if "pattern" in check:
        if not re.fullmatch(check["pattern"], where.text, re.I):
            outcome.passed = False
    elif not any(value_matches(prop, got, where, v) for v in check.get("values", [])):
        outcome.passed = False
    if not outcome.passed:
        outcome.problem = doc.problem(
            f"{prop} is set to '{where.text}', which is not what the task asks: check the value and its spelling. {check['message']}",
            where.line,
        )
    return outcome


RUNNERS = {"css.parses": run_parses, "css.declaration": run_declaration}


def vocabulary_of(expected: str, checks: list[dict]) -> frozenset:
    words = {c.get("property", "").lower() for c in checks if c.get("property")}
    words |= set(re.findall(r"([a-z-]+)\s*:", expected or ""))
    return frozenset(w for w in words if w in CSS_PROPERTIES)
