"""The V8 side of the sandbox, run in its own process (see sandbox.py): a student's script that
makes V8 abort the process (a 2**30-element array, say) takes down this worker, never the server.

Started as a plain script (``python v8_worker.py``) so it imports nothing of Django or the project;
requests and results are JSON lines on stdin/stdout.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from py_mini_racer import (
    DEFAULT_V8_FLAGS,
    JSEvalException,
    JSOOMException,
    JSParseException,
    JSTimeoutException,
    MiniRacer,
    init_mini_racer,
)

MEMORY_LIMIT_BYTES = 64 * 1024 * 1024
SETUP_LIMIT_MS = 2000
HEAP_MB = 128
_STUB = (Path(__file__).with_name("dom_stub.js")).read_text()
_ERROR_LINE = re.compile(r"<anonymous>:(\d+)")
_ERROR_NAME = re.compile(r"\b([A-Z][A-Za-z]*Error): (.*)")


def _error_from(exc: Exception) -> dict:
    text = str(exc)
    line = _ERROR_LINE.search(text)
    name = _ERROR_NAME.search(text)
    return {
        "name": name.group(1) if name else "Error",
        "message": (name.group(2).strip() if name else text.splitlines()[0] if text else "error"),
        "line": int(line.group(1)) if line else None,
    }


def execute(code: str, page_json: str, fire: dict | None, queries: dict, time_limit_ms: float) -> dict:
    """One run in a fresh context: the student's script, timers, the fired event, then what the
    checks look at. The time limit covers the student's code only (setting up the page is ours)."""
    run = {
        "logs": [],
        "alerts": [],
        "errors": [],
        "texts": {},
        "listeners": {},
        "timed_out": False,
        "out_of_memory": False,
    }
    context = MiniRacer()
    try:
        context.eval(f"globalThis.__PAGE__ = {page_json};\n{_STUB}", timeout=SETUP_LIMIT_MS)
        started = time.perf_counter()

        def left() -> float:
            return max(1.0, time_limit_ms - (time.perf_counter() - started) * 1000)

        try:
            context.eval(code, timeout=left(), max_memory=MEMORY_LIMIT_BYTES)
        except (JSTimeoutException, JSOOMException):
            raise
        except (JSParseException, JSEvalException) as exc:
            run["errors"].append(_error_from(exc))
        context.eval("__mrict.drain()", timeout=left(), max_memory=MEMORY_LIMIT_BYTES)
        if fire:
            # The page as it is before the event, for checks that look at it then (one run serves both).
            before = json.loads(context.eval(f"__mrict.collect({json.dumps(queries)})", timeout=left()))
            run["before"] = {key: before[key] for key in ("logs", "alerts", "texts", "listeners")}
            call = f"__mrict.fire({json.dumps(fire.get('selector', ''))}, {json.dumps(fire.get('event', 'click'))})"
            context.eval(call, timeout=left(), max_memory=MEMORY_LIMIT_BYTES)
        state = json.loads(context.eval(f"__mrict.collect({json.dumps(queries)})", timeout=left()))
        for key in ("logs", "alerts", "texts", "listeners"):
            run[key] = state[key]
        run["errors"].extend(state["errors"])
    except JSTimeoutException:
        run["timed_out"] = True
    except JSOOMException:
        run["out_of_memory"] = True
    except JSEvalException as exc:  # the stub failed on this page (a student overwrote it): report it
        run["errors"].append(_error_from(exc))
    finally:
        context.close()
    return run


def serve() -> None:
    """The worker's loop over stdin/stdout, one JSON request per line, until stdin closes."""
    # A small V8 heap: an allocation V8 cannot refuse gracefully then ends this process sooner
    # instead of after seconds of garbage collection.
    init_mini_racer(flags=(*DEFAULT_V8_FLAGS, f"--max-heap-size={HEAP_MB}"), ignore_duplicate_init=True)
    out = sys.stdout
    out.write('"ready"\n')
    out.flush()
    for line in sys.stdin:
        out.write(json.dumps(execute(**json.loads(line))) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
