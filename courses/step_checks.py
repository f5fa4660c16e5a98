"""The shape of ``LessonStep.checks`` and its validation: every problem names the check (its
position and id). It belongs to the step (courses); the tutor's check engine (llm_tutor.checks)
runs checks of this shape."""

from __future__ import annotations

import re

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

MAX_CHECKS = 40
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
KINDS = {
    "html.well_formed": set(),
    "html.doctype": set(),
    # typed: the element is written in the code, not only implied by the parser (<head>, <body>).
    "html.element": {"selector", "count", "min", "max", "before", "typed"},
    "html.attribute": {"selector", "attribute", "equals", "pattern", "non_empty", "url_schemes", "present"},
    "html.text": {"selector", "equals", "pattern", "non_empty", "ignore_case"},
    "css.parses": set(),
    "css.declaration": {"selector", "property", "values", "any_value", "pattern"},
    "js.parses": set(),
    "js.calls": {"callee", "args", "min"},
    "js.behaviour": {"html", "fire", "expect"},
}
COMMON = {"id", "kind", "message"}


class CheckError(ValueError):
    pass


def _selector(value, where: str, field: str = "selector") -> None:
    if not isinstance(value, str) or not value.strip():
        raise CheckError(f"{where}: '{field}' must be a CSS selector.")
    try:
        CSSSelector(value, translator="html")
    except SelectorError as exc:
        raise CheckError(f"{where}: '{field}' is not a valid CSS selector ({exc}).") from exc


def _pattern(value, where: str) -> None:
    if not isinstance(value, str):
        raise CheckError(f"{where}: 'pattern' must be a regular expression.")
    try:
        re.compile(value)
    except re.error as exc:
        raise CheckError(f"{where}: 'pattern' is not a valid regular expression ({exc}).") from exc


def _one_of(check: dict, names: tuple, where: str) -> None:
    given = [n for n in names if n in check]
    if len(given) != 1:
        raise CheckError(f"{where}: give exactly one of {', '.join(names)}.")


def _count(check: dict, where: str) -> None:
    for name in ("count", "min", "max"):
        if name in check and (not isinstance(check[name], int) or isinstance(check[name], bool) or check[name] < 0):
            raise CheckError(f"{where}: '{name}' must be a whole number, 0 or more.")


def validate_check(check, where: str) -> None:
    if not isinstance(check, dict):
        raise CheckError(f"{where}: a check must be an object.")
    kind = check.get("kind")
    if kind not in KINDS:
        raise CheckError(f"{where}: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))}).")
    unknown = set(check) - COMMON - KINDS[kind]
    if unknown:
        raise CheckError(f"{where}: {kind} has no parameter {sorted(unknown)[0]!r}.")
    message = check.get("message")
    if not isinstance(message, str) or not message.strip() or len(message) > 300:
        raise CheckError(f"{where}: 'message' must be the sentence the student sees (1 to 300 characters).")
    if kind in ("html.element", "html.attribute", "html.text") or kind == "css.declaration":
        if kind == "css.declaration":
            if not isinstance(check.get("selector"), str) or not check["selector"].strip():
                raise CheckError(f"{where}: 'selector' must be a CSS selector.")
        else:
            _selector(check.get("selector"), where)
    if kind == "html.element":
        _count(check, where)
        if "before" in check:
            _selector(check["before"], where, "before")
    elif kind == "html.attribute":
        if not isinstance(check.get("attribute"), str) or not check["attribute"].strip():
            raise CheckError(f"{where}: 'attribute' must be an attribute name.")
        _one_of(check, ("equals", "pattern", "non_empty", "url_schemes", "present"), where)
        if "pattern" in check:
            _pattern(check["pattern"], where)
        if "url_schemes" in check and not (
            isinstance(check["url_schemes"], list)
            and check["url_schemes"]
            and all(isinstance(s, str) for s in check["url_schemes"])
        ):
            raise CheckError(f"{where}: 'url_schemes' must be a list of schemes like [\"https\"].")
    elif kind == "html.text":
        _one_of(check, ("equals", "pattern", "non_empty"), where)
        if "pattern" in check:
            _pattern(check["pattern"], where)
    elif kind == "css.declaration":
        if not isinstance(check.get("property"), str) or not check["property"].strip():
            raise CheckError(f"{where}: 'property' must be a CSS property name.")
        _one_of(check, ("values", "any_value", "pattern"), where)
        if "values" in check and not (
            isinstance(check["values"], list) and check["values"] and all(isinstance(v, str) for v in check["values"])
        ):
            raise CheckError(f"{where}: 'values' must be a non-empty list of CSS values.")
        if "pattern" in check:
            _pattern(check["pattern"], where)
    elif kind == "js.calls":
        if not isinstance(check.get("callee"), str) or not re.fullmatch(
            r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", check["callee"]
        ):
            raise CheckError(f"{where}: 'callee' must be a dotted name like document.querySelector.")
        args = check.get("args", [])
        if not isinstance(args, list) or not all(
            isinstance(a, dict) and set(a) <= {"equals", "selector_matches"} for a in args
        ):
            raise CheckError(
                f'{where}: \'args\' must be a list of {{}}, {{"equals": ...}} or {{"selector_matches": ...}}.'
            )
        for arg in args:
            if "selector_matches" in arg:
                _selector(arg["selector_matches"], where, "selector_matches")
        _count(check, where)
    elif kind == "js.behaviour":
        _behaviour(check, where)


def _behaviour(check: dict, where: str) -> None:
    if "html" in check and not isinstance(check["html"], str):
        raise CheckError(f"{where}: 'html' must be the page's HTML.")
    fire = check.get("fire")
    if fire is not None:
        if not isinstance(fire, dict) or set(fire) - {"selector", "event"} or "selector" not in fire:
            raise CheckError(f'{where}: \'fire\' must be {{"selector": ..., "event": ...}}.')
        _selector(fire["selector"], where, "fire.selector")
    expect = check.get("expect")
    if not isinstance(expect, dict) or len(expect) != 1:
        raise CheckError(f"{where}: 'expect' must hold exactly one of logs, alerts, text, listener.")
    ((name, value),) = expect.items()
    if name in ("logs", "alerts"):
        if not isinstance(value, list) or not all(
            isinstance(v, str) or (isinstance(v, dict) and set(v) == {"pattern"}) for v in value
        ):
            raise CheckError(f"{where}: 'expect.{name}' must be a list of lines (or {{\"pattern\": ...}}).")
        for v in value:
            if isinstance(v, dict):
                _pattern(v["pattern"], where)
    elif name == "text":
        if not isinstance(value, dict):
            raise CheckError(f"{where}: 'expect.text' must be an object.")
        _selector(value.get("selector"), where)
        _one_of(value, ("equals", "pattern", "non_empty"), where)
        if "pattern" in value:
            _pattern(value["pattern"], where)
    elif name == "listener":
        if not isinstance(value, dict) or not isinstance(value.get("event", "click"), str):
            raise CheckError(f'{where}: \'expect.listener\' must be {{"selector": ..., "event": ...}}.')
        _selector(value.get("selector"), where)
    else:
        raise CheckError(f"{where}: 'expect' must hold one of logs, alerts, text, listener, not {name!r}.")


def validate_checks(checks) -> list:
    """Raises CheckError naming the first bad check; returns the list unchanged when it is valid."""
    if checks in (None, ""):
        return []
    if not isinstance(checks, list):
        raise CheckError("Checks must be a list of check objects.")
    if len(checks) > MAX_CHECKS:
        raise CheckError(f"A step has at most {MAX_CHECKS} checks.")
    seen = set()
    for number, check in enumerate(checks, start=1):
        ident = check.get("id") if isinstance(check, dict) else None
        where = f"Check {number}" + (f" ({ident!r})" if isinstance(ident, str) else "")
        if not isinstance(ident, str) or not _SLUG.match(ident):
            raise CheckError(f"{where}: 'id' must be a short slug (lower-case letters, digits, - or _).")
        if ident in seen:
            raise CheckError(f"{where}: the id {ident!r} is used twice in this step.")
        seen.add(ident)
        validate_check(check, where)
    return checks
