"""JavaScript checks: tree-sitter-javascript for syntax errors and structure (calls, their
arguments, conditions, functions), the V8 sandbox for behaviour (logs, alerts, text, listeners)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import tree_sitter_javascript
from tree_sitter import Language, Parser

from . import sandbox
from .common import Outcome, Problem, closest, source_line

KNOWN_NAMES = frozenset(
    "document window console log error warn info alert prompt confirm querySelector querySelectorAll getElementById "
    "getElementsByClassName getElementsByTagName addEventListener removeEventListener textContent innerHTML innerText "
    "value style classList add remove toggle contains push pop shift length toUpperCase toLowerCase trim split join map "
    "forEach filter includes indexOf slice appendChild createElement setAttribute getAttribute onclick focus parseInt "
    "parseFloat Math floor ceil random round toFixed toString setTimeout setInterval Number String Array Object JSON "
    "stringify parse let const var function return if else for while true false null undefined new this event "
    "target preventDefault display color backgroundColor body head title click submit input change keydown".split()
)
FORBIDDEN = {"fetch", "require", "process", "XMLHttpRequest", "WebSocket", "importScripts"}


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_javascript.language()))


@dataclass
class Call:
    callee: str
    args: list  # python values for literals, else None
    arg_nodes: list
    line: int


@dataclass
class JsDoc:
    code: str
    root: object
    calls: list[Call]
    problems: list[Problem]
    functions: dict = field(default_factory=dict)  # name -> line, for functions declared
    used_names: set = field(default_factory=set)
    forbidden: Problem | None = None
    runs: dict = field(default_factory=dict)  # sandbox results by (html, fire)
    plan: dict = field(default_factory=dict)  # page -> queries and events of all behaviour checks
    page: str = ""
    vocabulary: frozenset = frozenset()

    def line(self, number: int | None) -> str:
        return source_line(self.code, number)

    def problem(self, sentence: str, line: int | None, syntax: bool = False) -> Problem:
        return Problem(sentence, line, self.line(line), syntax)


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _literal(node):
    if node.type == "string":
        return "".join(_text(c) for c in node.children if c.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        return "".join(_text(c) for c in node.children if c.type == "string_fragment")
    if node.type == "number":
        try:
            return float(_text(node))
        except ValueError:
            return None
    if node.type in ("true", "false"):
        return node.type == "true"
    return None


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def analyse(code: str, *, vocabulary: frozenset = frozenset()) -> JsDoc:
    source = (code or "").encode("utf-8")
    tree = _parser().parse(source)
    doc = JsDoc(code=code or "", root=tree.root_node, calls=[], problems=[], vocabulary=vocabulary)
    for node in _walk(tree.root_node):
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            arg_nodes = [c for c in arguments.named_children if c.type != "comment"] if arguments else []
            callee = re.sub(r"\s+", "", _text(function)) if function else ""
            doc.calls.append(Call(callee, [_literal(a) for a in arg_nodes], arg_nodes, node.start_point[0] + 1))
            if function is not None and function.type == "import":
                doc.forbidden = doc.forbidden or doc.problem(
                    _FORBIDDEN_SENTENCE.format(name="import"), node.start_point[0] + 1
                )
        elif node.type == "import_statement":
            doc.forbidden = doc.forbidden or doc.problem(
                _FORBIDDEN_SENTENCE.format(name="import"), node.start_point[0] + 1
            )
        elif node.type == "identifier":
            name = _text(node)
            doc.used_names.add(name)
            if name in FORBIDDEN and doc.forbidden is None:
                doc.forbidden = doc.problem(_FORBIDDEN_SENTENCE.format(name=name), node.start_point[0] + 1)
        elif node.type == "function_declaration":
            name = node.child_by_field_name("name")
            if name is not None:
                doc.functions[_text(name)] = node.start_point[0] + 1
        elif node.type == "expression_statement" and node.named_children:
            inner = node.named_children[0]
            operator = inner.child_by_field_name("operator") if inner.type == "binary_expression" else None
            left = inner.child_by_field_name("left") if operator is not None else None
            if (
                operator is not None
                and _text(operator) in ("==", "===")
                and left is not None
                and left.type == "member_expression"
            ):
                doc.problems.append(
                    doc.problem(
                        f"{_text(operator)} only compares; to assign (put the text in), use a single equals sign =.",
                        node.start_point[0] + 1,
                        True,
                    )
                )
        elif node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            inner = condition.named_children[0] if condition is not None and condition.named_children else None
            if inner is not None and inner.type == "assignment_expression":
                doc.problems.append(
                    doc.problem(
                        "A single = in the if stores a value instead of comparing: use === to compare.",
                        node.start_point[0] + 1,
                        True,
                    )
                )
    doc.problems = _syntax_problems(doc, tree.root_node) + _name_problems(doc) + doc.problems
    doc.problems.sort(key=lambda p: (not p.syntax, p.line or 0))
    return doc


_FORBIDDEN_SENTENCE = "'{name}' is not available here: this lesson's code runs only in the page, without fetch, import, require or process."


def _syntax_problems(doc: JsDoc, root) -> list[Problem]:
    if not root.has_error:
        return []
    from ..diff import unbalanced

    first = None
    for node in _walk(root):
        if node.type == "ERROR" or node.is_missing:
            first = node
            break
    if first is None:
        return []
    line = first.start_point[0] + 1
    text = _text(first)
    code_line = doc.line(line)
    for number, text_line in enumerate(doc.code.split("\n"), start=1):
        keyword = re.match(r"\s*(If|For|While|Function|Const|Let|Var|Else)\b", text_line)
        if keyword:
            word = keyword.group(1)
            return [
                doc.problem(
                    f"JavaScript keywords are all small letters: write {word.lower()}, not {word} (check the case).",
                    number,
                    True,
                )
            ]
    if re.match(r"\s*(if|while)\b", code_line) and not re.match(r"\s*(if|while)\s*\(", code_line):
        return [doc.problem("The condition of an if needs round brackets around it: if ( ... ) { ... }.", line, True)]
    if re.match(r"\s*for\b", code_line) and code_line.count(",") >= 2 and ";" not in code_line:
        return [doc.problem("The three parts of a for loop are separated by semicolons ;, not commas.", line, True)]
    if re.match(r"\s*Function\b", code_line) or re.match(r"\s*(fucntion|funtion|functon|fuction|func)\b", code_line):
        return [doc.problem("Check the spelling of the keyword function (all small letters).", line, True)]
    for problem in unbalanced(doc.code, "js"):
        at = re.search(r"line (\d+)", problem)
        where = int(at.group(1)) if at else line
        if "quote" in problem:
            return [
                doc.problem("A quote here is never closed: a string needs a matching quote at both ends.", where, True)
            ]
        if "'('" in problem or "')'" in problem:
            return [doc.problem("A round bracket here is not closed: every ( needs its ).", where, True)]
        if "'{'" in problem:
            return [doc.problem("A curly brace { here is never closed: add } where the block ends.", where, True)]
        if "'}'" in problem:
            return [doc.problem("There is an extra curly brace } here, or its opening { is missing.", where, True)]
    if first.is_missing:
        wanted = first.type
        if wanted in (")", "("):
            return [doc.problem("A round bracket is missing here: every ( needs its ).", line, True)]
        if wanted == "}":
            return [doc.problem("A curly brace } is missing: every { needs its }.", line, True)]
    unquoted = re.search(r"\(\s*[#.]?[A-Za-z][\w ,!.#-]*\s*\)", code_line) and not re.search("[\"'`]", code_line)
    if unquoted or re.search(r"\w+\s+[\"'][^\"']*[\"']", text):
        return [doc.problem('Text in JavaScript needs quotes around it, like a string: "...".', line, True)]
    return [doc.problem("JavaScript cannot read this line: check its brackets, quotes and punctuation.", line, True)]


def _name_problems(doc: JsDoc) -> list[Problem]:
    """Misspelt methods and objects, matched against the step's own names first."""
    out = []
    seen = set()
    for node in _walk(doc.root):
        if node.type not in ("property_identifier", "identifier"):
            continue
        name = _text(node)
        if name in KNOWN_NAMES or name in doc.vocabulary or name in seen:
            continue
        parent = node.parent
        declared = parent is not None and parent.type in (
            "variable_declarator",
            "function_declaration",
            "formal_parameters",
            "arrow_function",
        )
        if declared or node.type == "identifier" and _declared_anywhere(doc, name):
            continue
        seen.add(name)
        line = node.start_point[0] + 1
        case = next((k for k in (*doc.vocabulary, *KNOWN_NAMES) if k.lower() == name.lower()), None)
        if case:
            out.append(
                doc.problem(f"JavaScript cares about capital letters: write {case}, not {name} (check the case).", line)
            )
            continue
        guess = closest(name, doc.vocabulary, KNOWN_NAMES, cutoffs=(0.75, 0.8))
        if guess:
            out.append(
                doc.problem(
                    f"'{name}' is not a name JavaScript knows. Did you mean '{guess}'? Check the spelling.", line
                )
            )
    return out


def _declared_anywhere(doc: JsDoc, name: str) -> bool:
    pattern = re.compile(
        rf"\b(let|const|var|function)\s+{re.escape(name)}\b|\(\s*{re.escape(name)}\s*[,)]|\b{re.escape(name)}\s*=>"
    )
    return bool(pattern.search(doc.code)) or name in doc.functions


# --- check runners --------------------------------------------------------------------------


def run_parses(doc: JsDoc, check: dict) -> Outcome:
    syntax = [p for p in doc.problems if p.syntax]
    return Outcome(check["id"], check["kind"], not syntax, check["message"], syntax[0] if syntax else None)


def _callee_matches(callee: str, wanted: str) -> bool:
    if "." not in wanted:
        return callee == wanted or callee.endswith("." + wanted)
    return callee == wanted or callee.replace("window.", "", 1) == wanted


def _selects_same(selector: str, wanted: str, page: str) -> bool:
    from .html import parse_tree, select

    try:
        root = parse_tree(page)
        got, want = select(root, selector), select(root, wanted)
    except Exception:  # cssselect's SelectorError and friends: an invalid selector selects nothing
        return False
    return bool(want) and [id(e) for e in got] == [id(e) for e in want]


def run_calls(doc: JsDoc, check: dict, *, page: str) -> Outcome:
    outcome = Outcome(check["id"], check["kind"], True, check["message"])
    wanted = check["callee"]
    calls = [c for c in doc.calls if _callee_matches(c.callee, wanted)]
    specs = check.get("args") or []
    good = []
    for call in calls:
        ok = True
        for position, spec in enumerate(specs):
            if position >= len(call.args) and spec:
                ok = False
                break
            if position >= len(call.args):
                ok = False
                break
            value = call.args[position]
            if "equals" in spec and value != spec["equals"]:
                ok = False
                outcome.problem = outcome.problem or _arg_problem(doc, call, position, spec)
            if "selector_matches" in spec and not (
                isinstance(value, str) and _selects_same(value, spec["selector_matches"], page)
            ):
                ok = False
                outcome.problem = outcome.problem or _arg_problem(doc, call, position, spec)
        if ok:
            good.append(call)
    if len(good) >= check.get("min", 1):
        outcome.problem = None
        return outcome
    outcome.passed = False
    if outcome.problem is None:
        if not calls:
            outcome.problem = _not_called_problem(doc, wanted, check["message"])
        else:
            call = calls[0]
            outcome.problem = doc.problem(
                f"Your {call.callee}(...) call is missing its argument between the brackets. {check['message']}",
                call.line,
            )
    return outcome


def _not_called_problem(doc: JsDoc, wanted: str, message: str) -> Problem:
    short = wanted.split(".")[-1]
    if short in doc.functions:
        return doc.problem(
            f"You made the function {short} but never call it: add a line that calls {short}(...).",
            doc.functions[short],
        )
    for call in doc.calls:
        if _callee_matches(call.callee.lower(), wanted.lower()):
            return doc.problem(f"JavaScript cares about capital letters: check the case of {call.callee}.", call.line)
        if closest(call.callee.split(".")[-1], {short}, cutoffs=(0.7,)):
            return doc.problem(
                f"'{call.callee}' is not the right name. Did you mean {wanted}? Check the spelling.", call.line
            )
    if "." in wanted:
        obj = wanted.split(".")[0]
        for call in doc.calls:
            if call.callee.split(".")[-1] == short and not call.callee.startswith(obj):
                return doc.problem(
                    f"{short} belongs to {obj}: write {obj}.{short}(...) (you are missing '{obj}').", call.line
                )
    return Problem(message)


def _arg_problem(doc: JsDoc, call: Call, position: int, spec: dict) -> Problem:
    node = call.arg_nodes[position]
    value = call.args[position]
    line = node.start_point[0] + 1
    if value is None and node.type == "identifier":
        return doc.problem(
            f"{_text(node)} has no quotes around it, so JavaScript reads it as a variable: put it in quotes.", line
        )
    if "selector_matches" in spec and isinstance(value, str):
        wanted = spec["selector_matches"]
        if wanted.startswith("#") and value == wanted[1:]:
            return doc.problem(f"querySelector needs a hash # before an id: '{value}' looks for a <{value}> tag.", line)
        if wanted.startswith("#") and value.startswith("."):
            return doc.problem("This element is found by its id, which takes a hash #, not a dot.", line)
        if call.callee.endswith("getElementById") and value.startswith("#"):
            return doc.problem("getElementById takes the id without the # (leave out the hash).", line)
        return doc.problem(
            f"The selector '{value}' finds no element with that id in the page (null): check its spelling.", line
        )
    if (
        isinstance(value, str)
        and "equals" in spec
        and isinstance(spec["equals"], str)
        and value.lower() == spec["equals"].lower()
    ):
        return doc.problem(
            f"'{value}' has the wrong capital letters: event names and text must match exactly (check the case).", line
        )
    if call.callee.endswith("addEventListener") and isinstance(value, str) and value.startswith("on"):
        return doc.problem(f"The event name is written without on: '{value[2:]}', not '{value}'.", line)
    return doc.problem(f"The value '{value}' here is not what the task asks: check its spelling.", line)


def plan_behaviour(doc: JsDoc, checks: list[dict], page: str) -> None:
    """One sandbox run per page and event serves every behaviour check: the queries of all of
    them are collected together, before and after the event."""
    for check in checks:
        if check["kind"] != "js.behaviour":
            continue
        plan = doc.plan.setdefault(check.get("html") or page, {"texts": set(), "listeners": set(), "fires": []})
        expect = check["expect"]
        if "text" in expect:
            plan["texts"].add(expect["text"]["selector"])
        if "listener" in expect:
            plan["listeners"].add((expect["listener"]["selector"], expect["listener"].get("event", "click")))
        if check.get("fire") and check["fire"] not in plan["fires"]:
            plan["fires"].append(check["fire"])


def _run(doc: JsDoc, html: str, fire: dict | None, texts: tuple, listeners: tuple) -> sandbox.SandboxRun:
    plan = doc.plan.get(html, {"texts": set(), "listeners": set(), "fires": []})
    texts = tuple(sorted(set(texts) | plan["texts"]))
    listeners = tuple(sorted(set(listeners) | plan["listeners"]))
    wanted = fire or (plan["fires"][0] if len(plan["fires"]) == 1 else None)
    key = (html, repr(wanted), texts, listeners)
    if key not in doc.runs:
        doc.runs[key] = sandbox.run_script(
            doc.code, html=html, fire=wanted, text_selectors=texts, listener_queries=listeners
        )
    run = doc.runs[key]
    return run if fire else run.before_fire()


def _match_line(got: str, want) -> bool:
    if isinstance(want, dict) and "pattern" in want:
        return re.fullmatch(want["pattern"], got) is not None
    return got.strip() == str(want).strip()


def run_behaviour(doc: JsDoc, check: dict, *, page: str) -> Outcome:
    outcome = Outcome(check["id"], check["kind"], True, check["message"])
    expect = check["expect"]
    html = check.get("html") or page
    texts = (expect["text"]["selector"],) if "text" in expect else ()
    listener = expect.get("listener")
    listeners = ((listener["selector"], listener.get("event", "click")),) if listener else ()
    if doc.forbidden is not None:
        outcome.passed, outcome.problem = False, doc.forbidden
        return outcome
    doc.page = html
    run = _run(doc, html, check.get("fire"), texts, listeners)
    if run.timed_out:
        outcome.passed = False
        outcome.problem = Problem(
            "Your code ran too long and was stopped: a loop that never ends (forever) keeps the page frozen — check that its counter changes, like i++."
        )
        return outcome
    if run.out_of_memory:
        outcome.passed = False
        outcome.problem = Problem(
            "Your code used too much memory and was stopped: something keeps growing without end."
        )
        return outcome
    problem = None
    if "logs" in expect or "alerts" in expect:
        key = "logs" if "logs" in expect else "alerts"
        got, want = (run.logs, expect["logs"]) if key == "logs" else (run.alerts, expect["alerts"])
        if len(got) != len(want) or not all(_match_line(g, w) for g, w in zip(got, want, strict=False)):
            problem = _output_problem(doc, run, key, got, want, check["message"])
    elif "text" in expect:
        spec = expect["text"]
        values = run.texts.get(spec["selector"], [])
        value = " ".join(values[0].split()) if values else None
        ok = value is not None and (
            ("equals" in spec and value == " ".join(str(spec["equals"]).split()))
            or ("pattern" in spec and re.fullmatch(spec["pattern"], value) is not None)
            or (spec.get("non_empty") and bool(value))
        )
        if not ok:
            problem = _text_problem(doc, run, check, value)
    elif listener:
        if not run.listeners.get(f"{listeners[0][0]}|{listeners[0][1]}"):
            problem = _error_problem(doc, run) or _listener_problem(doc, listener, check["message"])
    if problem:
        outcome.passed, outcome.problem = False, problem
    return outcome


def _error_problem(doc: JsDoc, run: sandbox.SandboxRun) -> Problem | None:
    error = run.first_error
    if not error:
        return None
    message, line = error["message"], error["line"]
    if "call stack" in message:
        return doc.problem(
            "Your function calls itself without end (the call stack ran out): give it a way to stop.", line
        )
    if "not available in the lesson" in message:
        return doc.problem(_FORBIDDEN_SENTENCE.format(name=message.split()[0]), line)
    null = re.search(r"Cannot (?:read|set) propert(?:y|ies) of null", message)
    if null:
        for call in doc.calls:
            value = call.args[0] if call.args else None
            if not isinstance(value, str):
                continue
            if call.callee.endswith("getElementById") and value.startswith("#"):
                return doc.problem("getElementById takes the id without the # (leave out the hash).", call.line)
            if call.callee.endswith("querySelector") and re.fullmatch(r"[\w-]+", value) and f'id="{value}"' in doc.page:
                return doc.problem(
                    f"querySelector needs a hash # before an id: '{value}' looks for a <{value}> tag, not id=\"{value}\".",
                    call.line,
                )
        return doc.problem(
            "Your selector found no element (it gave null), so nothing can be changed: check the selector's # or . and its spelling.",
            line,
        )
    undefined_name = re.search(r"(\w+) is not defined", message)
    if undefined_name:
        name = undefined_name.group(1)
        guess = closest(name, doc.vocabulary, KNOWN_NAMES, cutoffs=(0.6, 0.75))
        extra = f" Did you mean '{guess}'? Check the spelling." if guess else " If it is text, put quotes around it."
        return doc.problem(f"JavaScript does not know '{name}'.{extra}", line)
    not_function = re.search(r"([\w.]+) is not a function", message)
    if not_function:
        name = not_function.group(1)
        if name.endswith(("textContent", "innerHTML", "innerText")):
            return doc.problem(
                f"{name.split('.')[-1]} is not a function: assign the text with an equals sign (=) instead of calling it.",
                line,
            )
        return doc.problem(f"{name} is not a function JavaScript knows: check its spelling and capital letters.", line)
    return doc.problem(f"Your code stopped with an error: {error['name']}: {message}", line)


def _output_problem(doc, run, key, got, want, message) -> Problem:
    what = "console.log" if key == "logs" else "alert"
    error = _error_problem(doc, run)
    if error:
        return error
    if not got:
        for name, line in doc.functions.items():
            if not any(c.callee == name for c in doc.calls) and name not in _referenced(doc, name):
                return doc.problem(
                    f"You made the function {name} but never call it: it only runs when called, like {name}(...).", line
                )
        if key == "alerts" and run.alerts == [] and any(c.callee.endswith("addEventListener") for c in doc.calls):
            return _listener_problem(doc, {"selector": "", "event": "click"}, message)
        return Problem(f"Your code does not show anything with {what} yet. {message}")
    if key == "logs" and all(isinstance(w, str) for w in want):
        if len(got) == len(want) - 1 and all(g.strip() == w for g, w in zip(got, want[: len(got)], strict=False)):
            return Problem(
                f"Your loop runs one time too few: it printed {len(got)} lines (one short). Check its < or <= condition."
            )
        if len(got) == len(want) - 1 and all(g.strip() == w for g, w in zip(got, want[1:], strict=False)):
            return Problem(
                "Your loop runs one time too few: it misses the first value. Check where the counter starts (= 1 or 0)."
            )
        if len(got) == len(want) + 1 and got[1:] == list(want):
            return Problem("Your loop runs one time too many: it starts at 0 (zero); check where the counter starts.")
        if len(got) == len(want) + 1 and got[:-1] == list(want):
            return Problem("Your loop runs one time too many: check its < or <= condition.")
    if len(got) == len(want) and all(isinstance(w, str) and w.strip().lstrip("-").isdigit() for w in want):
        if all(g.strip() == str(int(w) - 1) for g, w in zip(got, want, strict=False)):
            return Problem("Your loop starts at 0 (zero) instead of 1: check where the counter starts (= 1).")
    if (
        got
        and len(set(got)) == 1
        and re.fullmatch(r"[A-Za-z_]\w*", got[0])
        and re.search(rf"\b(let|const|var)\s+{got[0]}\b|\(\s*{got[0]}\s*\)", doc.code)
    ):
        return Problem(
            f"'{got[0]}' is in quotes, so it is printed as text: remove the quotes to use the variable {got[0]}."
        )
    if len(got) == len(want) and isinstance(want[0], str) and got[0].lower() == want[0].lower():
        return Problem(
            f"Your {what} shows '{got[0][:60]}': the capital and small letters are not what the task asks (check the case)."
        )
    if key == "alerts" and len(got) > len(want) or (key == "alerts" and got and run is not None and not _fired(doc)):
        return Problem(
            "The alert shows straight away, before any click: put it inside a function that runs only when the button is clicked."
        )
    shown = got[0][:60] if got else ""
    return Problem(
        f"Your {what} shows '{shown}', which is not exactly what the task asks: check the spelling and punctuation (like an exclamation mark). {message}"
    )


def _fired(doc: JsDoc) -> bool:
    return True


def _referenced(doc: JsDoc, name: str) -> set:
    text = re.sub(rf"function\s+{re.escape(name)}\b", "", doc.code)
    return {name} if re.search(rf"\b{re.escape(name)}\b", text) else set()


def _listener_problem(doc: JsDoc, listener: dict, message: str) -> Problem:
    for call in doc.calls:
        if call.callee.endswith("addEventListener"):
            if len(call.arg_nodes) > 1 and call.arg_nodes[1].type == "call_expression":
                return doc.problem(
                    "You call the function straight away instead of giving it to addEventListener: pass a function (like () => { ... }) that runs only on the click.",
                    call.line,
                )
            if call.args and isinstance(call.args[0], str) and call.args[0] != listener.get("event", "click"):
                name = call.args[0]
                if name.lower().startswith("on"):
                    return doc.problem(f"The event name is written without on: 'click', not '{name}'.", call.line)
                if name.lower() == "click":
                    return doc.problem(
                        f"The event name '{name}' must be all small letters (check the case).", call.line
                    )
                return doc.problem(f"'{name}' is not the event name the task asks for: check the spelling.", call.line)
    if not any(c.callee.endswith("addEventListener") for c in doc.calls) and not re.search(r"\.on\w+\s*=", doc.code):
        if re.search(r"textContent|innerHTML|innerText|alert\(", doc.code):
            return Problem(
                "Your code changes the page straight away: put that line inside a click listener, so it runs only when the button is clicked."
            )
    if re.search(r"\.onClick\s*=", doc.code):
        line = doc.code[: doc.code.find(".onClick")].count("\n") + 1
        return doc.problem("onClick must be all small letters: onclick (check the case).", line)
    return Problem(message)


def _text_problem(doc: JsDoc, run, check, value) -> Problem:
    error = _error_problem(doc, run)
    if error:
        return error
    spec = check["expect"]["text"]
    want = spec.get("equals")
    fire = check.get("fire")
    if value is None:
        return Problem(f"The page has no element for '{spec['selector']}'. {check['message']}")
    if isinstance(want, str) and want == "" and value:
        return Problem(
            "The text appears straight away, before the click: change it only inside the click listener's function."
        )
    if isinstance(want, str) and value.lower() == want.lower() and value:
        return Problem(f"Your text '{value[:60]}' has the wrong capital letters (check the case).")
    if not value and fire:
        return _listener_problem(doc, fire, check["message"])
    if not value:
        return Problem(f"The element stays empty: your code does not put any text in it yet. {check['message']}")
    return Problem(
        f"The element shows '{value[:60]}', which is not exactly what the task asks: check the spelling. {check['message']}"
    )


RUNNERS = {"js.parses": run_parses, "js.calls": run_calls, "js.behaviour": run_behaviour}


def vocabulary_of(expected: str, checks: list[dict]) -> frozenset:
    words = set(re.findall(r"[A-Za-z_$][\w$]*", expected or ""))
    for check in checks:
        if check.get("callee"):
            words.update(check["callee"].split("."))
    return frozenset(words)
