"""Checks for a step without authored ones, derived from its expected code: the elements,
attributes and text it has, the declarations it sets, the calls it makes and what it does when run.
Messages name tags, properties and methods (as the task does), never the expected code."""

from __future__ import annotations

import re
from functools import lru_cache

from . import sandbox
from .css import analyse as analyse_css
from .html import VOID_TAGS, _Tokenizer, parse_tree, text_of
from .js import analyse as analyse_js


def derive(expected: str, language: str, page_html: str = "") -> list[dict]:
    return [dict(c) for c in _derive(expected or "", (language or "html").lower(), page_html or "")]


@lru_cache(maxsize=256)
def _derive(expected: str, language: str, page_html: str) -> tuple:
    if not expected.strip():
        return ()
    if language == "css":
        return tuple(_derive_css(expected))
    if language in ("js", "javascript"):
        return tuple(_derive_js(expected, page_html))
    return tuple(_derive_html(expected))


def _derive_html(expected: str) -> list[dict]:
    tokenizer = _Tokenizer()
    tokenizer.feed(expected)
    typed = {t.name for t in tokenizer.tags if not t.closing}
    checks = [
        {"id": "well-formed", "kind": "html.well_formed", "message": "Check that every tag is spelt right and closed."}
    ]
    if tokenizer.doctype:
        checks.append({"id": "doctype", "kind": "html.doctype", "message": "Start the page with the doctype line."})
    root = parse_tree(expected)
    seen = set()
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag not in typed or element.tag == "html":
            continue
        chain = [element.tag]
        parent = element.getparent()
        while parent is not None and parent.tag != "html" and parent.tag not in typed:
            parent = parent.getparent()
        if parent is not None and parent.tag != "html":
            chain.insert(0, parent.tag)
        selector = " > ".join(chain)
        if selector in seen:
            continue
        seen.add(selector)
        count = sum(1 for el in root.cssselect(selector))
        where = f" inside <{chain[0]}>" if len(chain) > 1 else ""
        slug = re.sub(r"[^a-z0-9]+", "-", selector).strip("-")
        checks.append(
            {
                "id": f"has-{slug}",
                "kind": "html.element",
                "selector": selector,
                "min": count,
                "message": f"Your page needs {'a' if count == 1 else count} <{element.tag}> element{'s' if count > 1 else ''}{where}.",
            }
        )
        for name, value in element.attrib.items():
            if name in ("class", "style"):
                continue
            check = {"id": f"{slug}-{name}", "kind": "html.attribute", "selector": selector, "attribute": name}
            if name == "href" and re.match(r"https?://", value):
                check["url_schemes"] = ["https", "http"]
            else:
                check["equals"] = value
            check["message"] = f"Give your <{element.tag}> the {name} the task asks for."
            checks.append(check)
        text = text_of(element)
        if text and not len(element) and element.tag not in VOID_TAGS:
            checks.append(
                {
                    "id": f"{slug}-text",
                    "kind": "html.text",
                    "selector": selector,
                    "equals": text,
                    "ignore_case": True,
                    "message": f"The words in your <{element.tag}> are not the ones the task asks for.",
                }
            )
    return checks


def _derive_css(expected: str) -> list[dict]:
    doc = analyse_css(expected)
    checks = [{"id": "parses", "kind": "css.parses", "message": "Check the braces, colons and semicolons of your CSS."}]
    for rule in doc.rules:
        for selector in rule.selectors:
            for declaration in rule.declarations:
                slug = re.sub(r"[^a-z0-9]+", "-", f"{selector}-{declaration.name}").strip("-")
                checks.append(
                    {
                        "id": slug,
                        "kind": "css.declaration",
                        "selector": selector,
                        "property": declaration.name,
                        "values": [declaration.text],
                        "message": f"Your {selector} rule should set {declaration.name} as the task says.",
                    }
                )
    return checks


def page_for(expected: str) -> str:
    """A page with the elements the expected script looks for (steps without page_html)."""
    parts = []
    for value in re.findall(r"(?:querySelector(?:All)?|getElementById)\(\s*[\"'`]([^\"'`]+)", expected):
        if value.startswith("#"):
            parts.append(f'<button id="{value[1:]}"></button>')
        elif value.startswith("."):
            parts.append(f'<div class="{value[1:]}"></div>')
        elif re.fullmatch(r"[a-zA-Z][\w-]*", value) and "getElementById" not in expected:
            parts.append(f"<{value}></{value}>")
        elif re.fullmatch(r"[\w-]+", value):
            parts.append(f'<div id="{value}"></div>')
    return "<body>" + "".join(parts) + "</body>"


def _derive_js(expected: str, page_html: str) -> list[dict]:
    page = page_html or page_for(expected)
    doc = analyse_js(expected)
    checks = [
        {"id": "parses", "kind": "js.parses", "message": "Check the brackets, quotes and punctuation of your code."}
    ]
    declared = set(re.findall(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)", expected))
    seen = set()
    for call in doc.calls:
        callee = call.callee
        head = callee.split(".")[0]
        if head in declared:
            callee = callee.split(".")[-1]
        if callee in seen or "(" in callee:
            continue
        seen.add(callee)
        args = []
        for value in call.args:
            if isinstance(value, str) and callee.endswith(("querySelector", "querySelectorAll")):
                args.append({"selector_matches": value})
            elif isinstance(value, str) and callee.endswith("getElementById"):
                args.append({"selector_matches": f"#{value}"})
            elif isinstance(value, str) and callee.endswith("addEventListener"):
                args.append({"equals": value})
            else:
                args.append({})
        check = {
            "id": re.sub(r"[^a-z0-9]+", "-", f"calls-{callee.lower()}").strip("-"),
            "kind": "js.calls",
            "callee": callee,
        }
        if args and any(args):
            check["args"] = args
        check["message"] = f"Your code should use {callee.split('.')[-1]} as the task says."
        checks.append(check)
    run = sandbox.run_script(expected, html=page)
    # What the script does is checked by running it; how it is written (onclick or a listener,
    # alert inside an arrow or a function) is the student's choice.
    behaviour_calls = ("addEventListener", "alert", "console.log")
    if run.logs:
        checks.append(
            {
                "id": "logs",
                "kind": "js.behaviour",
                "html": page,
                "expect": {"logs": run.logs},
                "message": "What your code prints with console.log is not what the task asks.",
            }
        )
    if run.alerts:
        checks.append(
            {
                "id": "alerts",
                "kind": "js.behaviour",
                "html": page,
                "expect": {"alerts": run.alerts},
                "message": "The alert your code shows is not what the task asks.",
            }
        )
    for call in doc.calls:
        if call.callee.endswith("addEventListener") and call.args and isinstance(call.args[0], str):
            event = call.args[0]
            for selector in _selectors(expected):
                fired = sandbox.run_script(expected, html=page, fire={"selector": selector, "event": event})
                if fired.alerts and fired.alerts != run.alerts:
                    if not run.alerts:
                        checks.append(
                            {
                                "id": "quiet-before-click",
                                "kind": "js.behaviour",
                                "html": page,
                                "expect": {"alerts": []},
                                "message": f"The alert must wait for the {event}, not show straight away.",
                            }
                        )
                    checks.append(
                        {
                            "id": f"{event}-alerts",
                            "kind": "js.behaviour",
                            "html": page,
                            "fire": {"selector": selector, "event": event},
                            "expect": {"alerts": fired.alerts},
                            "message": f"When the {event} happens, your code should show the alert the task asks for.",
                        }
                    )
                    break
                if fired.logs and fired.logs != run.logs:
                    checks.append(
                        {
                            "id": f"{event}-logs",
                            "kind": "js.behaviour",
                            "html": page,
                            "fire": {"selector": selector, "event": event},
                            "expect": {"logs": fired.logs},
                            "message": f"When the {event} happens, your code should print what the task asks for.",
                        }
                    )
                    break
            break
    if any(c["kind"] == "js.behaviour" for c in checks):
        checks = [c for c in checks if not (c["kind"] == "js.calls" and c["callee"].endswith(behaviour_calls))]
    return checks


def _selectors(expected: str) -> list[str]:
    out = []
    for fn, value in re.findall(r"(querySelector(?:All)?|getElementById)\(\s*[\"'`]([^\"'`]+)", expected):
        out.append(f"#{value}" if fn == "getElementById" else value)
    return out
