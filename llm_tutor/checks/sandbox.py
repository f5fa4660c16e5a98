"""Runs a student's script in V8 (mini-racer) against a small stub DOM built from the step's page.

V8 runs in a separate worker process (v8_worker.py), since some allocations make V8 abort its whole
process. Each run gets a fresh context there, closed afterwards: a hard time limit for the student's
code (script, fired events, timers), a heap limit, and nothing but the stub DOM in scope — no network,
no filesystem, no ``require``/``import``/``process`` (V8 alone has none of them; the stub makes the
common ones throw a clear error). A script that loops, allocates or recurses without end ends as
a result with ``timed_out``/``out_of_memory``/an error, never as an exception for the caller.
"""

from __future__ import annotations

import atexit
import json
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .v8_worker import MEMORY_LIMIT_BYTES, SETUP_LIMIT_MS  # noqa: F401 (the limits live with V8)

TIME_LIMIT_MS = 200
STARTUP_SECONDS = 20
WORKER_SCRIPT = Path(__file__).with_name("v8_worker.py")
RESULT_MARGIN_SECONDS = 0.8


class SandboxUnavailable(RuntimeError):
    pass


# One V8 run at a time per server process: a runaway script then costs at most one time limit of CPU.
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
    before: dict | None = None  # with a fired event: logs/alerts/texts/listeners just before it

    def before_fire(self) -> SandboxRun:
        """This run as it stood before its event was fired (itself when nothing was fired)."""
        if self.before is None:
            return self
        return SandboxRun(
            **self.before, errors=self.errors, timed_out=self.timed_out, out_of_memory=self.out_of_memory, ms=0.0
        )

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


class _Worker:
    """A long-lived child process running V8. If a script kills it or it stops answering, it is
    killed and the next run starts a new one; the server process itself never runs V8."""

    def __init__(self):
        self.process: subprocess.Popen | None = None

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # V8's own crash report; the student gets a hint instead
            text=True,
            bufsize=1,
        )
        if self._read(STARTUP_SECONDS) != "ready":
            raise SandboxUnavailable("The code sandbox did not start.")

    def _read(self, seconds: float):
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=5)
            for stream in (self.process.stdin, self.process.stdout):
                stream.close()
        self.process = None

    def call(self, request: dict, wait_seconds: float) -> dict | None:
        """The run's result, or None when the worker died or hung (it is then replaced)."""
        if self.process is None or self.process.poll() is not None:
            self.stop()
            try:
                self._start()
            except (SandboxUnavailable, OSError, ValueError):
                self.stop()
                return None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            result = self._read(wait_seconds)
        except (OSError, ValueError):
            result = None
        if not isinstance(result, dict):
            self.stop()
            return None
        return result


_worker = _Worker()
atexit.register(_worker.stop)


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
    request = {
        "code": code,
        "page_json": _page_json(html),
        "fire": fire,
        "queries": {"text": list(text_selectors), "listener": [list(q) for q in listener_queries]},
        "time_limit_ms": time_limit_ms,
    }
    with _lock:
        # V8 enforces the student's limit itself; this only catches a dead or stuck worker.
        result = _worker.call(request, wait_seconds=time_limit_ms / 1000 + RESULT_MARGIN_SECONDS)
    run = SandboxRun(**result) if result is not None else SandboxRun(out_of_memory=True)
    run.ms = (time.perf_counter() - started) * 1000
    return run
