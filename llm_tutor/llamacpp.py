"""The in-process provider: llama-cpp-python running a GGUF model (``LLM_MODEL_PATH``) inside the
web process, for a school server with no other service. Optional (requirements-llm.txt): this
module, and llama_cpp, are imported only when ``LLM_PROVIDER=llamacpp``.

Generation runs off the request thread on one worker thread per model (llama.cpp contexts are not
thread-safe, and two generations on 2 cores only halve each other's speed). At most
``LLM_QUEUE_SIZE`` turns wait behind the running one; more are refused at once (the tutor answers
offline) rather than left hanging. A turn that gives up (timeout, student gone) cancels its job.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings

from .llm import ChatResult, LLMError, NoRetry, breaker_for, guarded_call, guarded_stream

logger = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
# llama.cpp's servers' default (llama-cpp-python's library call defaults to none): small models loop without it.
REPEAT_PENALTY = 1.1
_END = object()


class ModelUnavailable(NoRetry):
    """The GGUF file is missing, not a model, or llama-cpp-python is not installed."""


def check_model_file(path: str) -> str | None:
    """Why ``path`` cannot be loaded (None when it looks like a GGUF model); cheap, no loading."""
    if not path:
        return "LLM_MODEL_PATH is not set."
    file = Path(path)
    if not file.is_file():
        return f"LLM_MODEL_PATH {path} does not exist."
    try:
        with file.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        return f"LLM_MODEL_PATH {path} cannot be read: {exc}"
    if magic != GGUF_MAGIC:
        return f"LLM_MODEL_PATH {path} is not a GGUF model file."
    return None


@contextlib.contextmanager
def plain_cpu_buffers():
    """Loads models with weights in plain CPU buffers: llama.cpp 0.3.36's extra (AMX/repack) buffer
    types crash (ggml_backend_amx_mul_mat) on some CPUs for any prompt longer than one token.
    ``Llama`` offers no argument for it, so the default parameters it starts from are patched."""
    _passive_openmp()
    import llama_cpp.llama_cpp as native

    original = native.llama_model_default_params

    def defaults():
        params = original()
        if hasattr(params, "use_extra_bufts"):
            params.use_extra_bufts = False
        return params

    native.llama_model_default_params = defaults
    try:
        yield
    finally:
        native.llama_model_default_params = original


def _passive_openmp() -> None:
    """llama.cpp's OpenMP threads spin while they wait by default: on a shared 2-core server, busy
    with requests and other processes, spinning threads starve each other (a 2 s reply took 20 s
    here). Must be set before the OpenMP runtime loads with llama_cpp."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _load_llama(path: str, n_ctx: int, n_threads: int):
    _passive_openmp()
    try:
        import llama_cpp
    except ImportError as exc:
        raise ModelUnavailable("llama-cpp-python is not installed (pip install -r requirements-llm.txt)") from exc
    try:
        with plain_cpu_buffers():
            return llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_batch=512, verbose=False)
    except (ValueError, RuntimeError, OSError) as exc:  # llama_cpp raises ValueError for a bad file
        raise ModelUnavailable(f"Could not load {path}: {exc}") from exc


class _Job:
    def __init__(self, messages: list[dict], max_tokens: int, temperature: float):
        self.messages = messages
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.out: queue.Queue = queue.Queue()
        self.cancelled = threading.Event()


class LocalModel:
    """One loaded model, its single generation thread and its bounded queue."""

    def __init__(self, path: str, n_ctx: int, n_threads: int):
        self.path = path
        self.n_ctx = n_ctx
        self.llama = _load_llama(path, n_ctx, n_threads)
        # Freed before the interpreter tears down the C bindings (else a noisy error at exit).
        atexit.register(self.llama.close)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamacpp")
        self._lock = threading.Lock()
        self.pending = 0  # running + waiting

    def tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def submit(self, job: _Job) -> None:
        with self._lock:
            if self.pending > max(0, settings.LLM_QUEUE_SIZE):
                raise NoRetry(f"The local model is busy ({self.pending} turns ahead)")
            self.pending += 1
        self.executor.submit(self._run, job)

    def _run(self, job: _Job) -> None:
        try:
            if job.cancelled.is_set():
                return
            stream = self.llama.create_chat_completion(
                messages=job.messages,
                max_tokens=job.max_tokens,
                temperature=job.temperature,
                repeat_penalty=REPEAT_PENALTY,
                stream=True,
            )
            try:
                for chunk in stream:
                    if job.cancelled.is_set():
                        break
                    job.out.put(chunk)
            finally:
                with contextlib.suppress(Exception):
                    stream.close()
            job.out.put(_END)
        except Exception as exc:  # noqa: BLE001 - any failure inside llama.cpp becomes an offline reply
            logger.exception("Local model generation failed")
            job.out.put(LLMError(f"The local model failed: {exc!r}"))
        finally:
            with self._lock:
                self.pending -= 1


_models: dict[tuple[str, int], LocalModel] = {}
_models_lock = threading.Lock()


def local_model() -> LocalModel:
    """The loaded model for the current settings (loaded once per process, on first use)."""
    path, n_ctx = settings.LLM_MODEL_PATH, settings.LLM_NUM_CTX
    key = (path, n_ctx)
    with _models_lock:
        if key not in _models:
            problem = check_model_file(path)
            if problem:
                raise ModelUnavailable(problem)
            started = time.perf_counter()
            _models[key] = LocalModel(path, n_ctx, settings.LLM_THREADS)
            logger.info("Loaded %s in %.1fs", path, time.perf_counter() - started)
        return _models[key]


class LlamaCppClient:
    name = "llamacpp"

    def __init__(self):
        self.model = Path(settings.LLM_MODEL_PATH).name
        self.num_ctx = settings.LLM_NUM_CTX
        self.max_tokens = settings.LLM_MAX_TOKENS
        self.deadline_seconds = settings.LLM_TIMEOUT
        self.last: ChatResult | None = None

    def models(self) -> list[str]:
        return [self.model] if local_model() else []

    def health(self) -> dict:
        local_model()
        return {"ok": True, "models": [self.model], "model_present": True}

    def count_tokens(self, messages: list[dict]) -> int | None:
        """The model's own tokenizer (content + the chat template's few tokens per message)."""
        from .prompts import MESSAGE_OVERHEAD_TOKENS

        try:
            model = local_model()
        except LLMError:
            return None
        return sum(model.tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)

    def chat(self, messages: list[dict]) -> ChatResult:
        def once() -> ChatResult:
            text = "".join(self._stream_once(messages))
            return ChatResult(
                content=text,
                eval_count=self.last.eval_count,
                prompt_eval_count=self.last.prompt_eval_count,
                done_reason=self.last.done_reason,
            )

        return guarded_call(once, breaker=breaker_for(self.name), retries=0)

    def chat_stream(self, messages: list[dict]) -> Iterator[str]:
        yield from guarded_stream(lambda: self._stream_once(messages), breaker=breaker_for(self.name), retries=0)

    def _stream_once(self, messages: list[dict]) -> Iterator[str]:
        self.last = None
        model = local_model()
        job = _Job(messages, self.max_tokens, settings.LLM_TEMPERATURE)
        deadline = time.monotonic() + self.deadline_seconds
        model.submit(job)
        finish_reason, produced = None, 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NoRetry("The local model took too long")
                try:
                    item = job.out.get(timeout=left)
                except queue.Empty:
                    raise NoRetry("The local model took too long") from None
                if item is _END:
                    break
                if isinstance(item, LLMError):
                    raise item
                choice = (item.get("choices") or [{}])[0]
                token = (choice.get("delta") or {}).get("content") or ""
                finish_reason = choice.get("finish_reason") or finish_reason
                if token:
                    produced += 1
                    yield token
        finally:
            job.cancelled.set()  # a turn that stops listening frees the model at the next token
        self.last = ChatResult(
            content="",
            eval_count=produced,
            prompt_eval_count=self.count_tokens(messages),
            done_reason=finish_reason,
        )
