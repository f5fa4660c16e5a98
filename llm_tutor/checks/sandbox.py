"""Runs a student's script in V8 (mini-racer) against a small stub DOM built from the step's page.

Each run gets a fresh isolate context, closed afterwards: a hard time limit for the whole run
(script, fired events, timers), a heap limit, and nothing but the stub DOM in scope — no network,
no filesystem, no ``require``/``import``/``process`` (V8 alone has none of them; the stub makes the
common ones throw a clear error). A script that loops, allocates or recurses without end ends as
a result with ``timed_out``/``out_of_memory``/an error, never as an exception for the caller.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from py_mini_racer import JSEvalException, JSOOMException, JSParseException, JSTimeoutException, MiniRacer

TIME_LIMIT_MS = 200
SETUP_LIMIT_MS = 2000
MEMORY_LIMIT_BYTES = 64 * 1024 * 1024
_STUB = (Path(__file__).with_name("dom_stub.js")).read_text()
_ERROR_LINE = re.compile(r"<anonymous>:(\d+)")
_ERROR_NAME = re.compile(r"\b([A-Z][A-Za-z]*Error): (.*)")
# One V8 run at a time per process: a runaway script then costs at most one time limit of CPU.
_lock = threading.Lock()


@dataclass
class SandboxRun:
    logs: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    texts: dict = field(default_factory=dict)
    listeners: dict = field(default_factory=dict)
    timed_out: bool = False
    out_of_memory: bool = False
    ms: float = 0.0

    @property
    def first_error(self) -> dict | None:
        return self.errors[0] if self.errors else None


def page_tree(html: str) -> dict:
    """The page as nested {tag, attrs, children} for the stub DOM (parsed by html5lib like a browser)."""
    from .html import parse_tree

    root = parse_tree(html or "")

    def convert(element) -> dict:
        children: list = []
        if element.text:
            children.append(element.text)
        for child in element:
            if isinstance(child.tag, str):
                children.append(convert(child))
            if child.tail:
                children.append(child.tail)
        attrs = {str(k): str(v) for k, v in element.attrib.items()}
        return {"tag": element.tag.lower(), "attrs": attrs, "children": children}

    return convert(root)


@lru_cache(maxsize=256)
def _page_json(html: str) -> str:
    return json.dumps(page_tree(html))


def _error_from(exc: Exception) -> dict:
    text = str(exc)
    line = _ERROR_LINE.search(text)
    name = _ERROR_NAME.search(text)
    return {
        "name": name.group(1) if name else "Error",
        "message": (name.group(2).strip() if name else text.splitlines()[0] if text else "error"),
        "line": int(line.group(1)) if line else None,
    }


def run_script(
    code: str,
    *,
    html: str = "",
    fire: dict | None = None,
    text_selectors: tuple[str, ...] = (),
    listener_queries: tuple[tuple[str, str], ...] = (),
    time_limit_ms: float = TIME_LIMIT_MS,
) -> SandboxRun:
    started = time.perf_counter()
    run = SandboxRun()
    queries = json.dumps({"text": list(text_selectors), "listener": [list(q) for q in listener_queries]})

    with _lock:
        context = MiniRacer()
        try:
            # Setting up the page is ours, not the student's: it does not count against their limit.
            context.eval(f"globalThis.__PAGE__ = {_page_json(html)};\n{_STUB}", timeout=SETUP_LIMIT_MS)
            student_started = time.perf_counter()

            def left() -> float:
                return max(1.0, time_limit_ms - (time.perf_counter() - student_started) * 1000)

            try:
                context.eval(code, timeout=left(), max_memory=MEMORY_LIMIT_BYTES)
            except (JSTimeoutException, JSOOMException):
                raise
            except (JSParseException, JSEvalException) as exc:
                run.errors.append(_error_from(exc))
            context.eval("__mrict.drain()", timeout=left(), max_memory=MEMORY_LIMIT_BYTES)
            if fire:
                call = f"__mrict.fire({json.dumps(fire.get('selector', ''))}, {json.dumps(fire.get('event', 'click'))})"
                context.eval(call, timeout=left(), max_memory=MEMORY_LIMIT_BYTES)
            state = json.loads(context.eval(f"__mrict.collect({queries})", timeout=left()))
            run.logs, run.alerts, run.texts = state["logs"], state["alerts"], state["texts"]
            run.listeners = state["listeners"]
            run.errors.extend(state["errors"])
        except JSTimeoutException:
            run.timed_out = True
        except JSOOMException:
            run.out_of_memory = True
        except JSEvalException as exc:  # the stub itself failed on this page: report, do not crash
            run.errors.append(_error_from(exc))
        finally:
            context.close()
    run.ms = (time.perf_counter() - started) * 1000
    return run
