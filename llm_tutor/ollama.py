"""Ollama HTTP client (httpx): /api/chat (streaming NDJSON or not), /api/tags health,
timeouts, keep_alive, generation options, limited retries and a circuit breaker."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)


class OllamaError(RuntimeError):
    """The LLM could not give a usable answer (down, slow, error, garbage, circuit open)."""


class CircuitOpen(OllamaError):
    pass


class CircuitBreaker:
    """Opens after ``failures`` consecutive failures; while open, calls are refused for ``cooldown``
    seconds; then one trial call is let through (half-open)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None
        self._trial = False

    @property
    def threshold(self) -> int:
        return max(1, settings.OLLAMA_BREAKER_FAILURES)

    @property
    def cooldown(self) -> float:
        return settings.OLLAMA_BREAKER_COOLDOWN

    def allow(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at >= self.cooldown and not self._trial:
                self._trial = True
                return True
            return False

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and time.monotonic() - self.opened_at < self.cooldown

    def success(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self._trial = False

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self._trial or self.failures >= self.threshold:
                self.opened_at = time.monotonic()
                logger.warning("Ollama circuit open for %.0fs after %d failures", self.cooldown, self.failures)
            self._trial = False

    def abandon(self) -> None:
        """A call ended without a verdict (client went away): let the next one try."""
        with self._lock:
            self._trial = False

    def reset(self) -> None:
        self.success()


breaker = CircuitBreaker()


@dataclass
class ChatResult:
    content: str
    eval_count: int | None = None
    prompt_eval_count: int | None = None
    total_duration_ms: float | None = None
    done_reason: str | None = None


def configured() -> bool:
    return bool(settings.OLLAMA_MODEL)


class OllamaClient:
    def __init__(self, base_url: str | None = None, model: str | None = None):
        self.base_url = (base_url or settings.OLLAMA_BASE_URL).rstrip("/")
        self.model = model or settings.OLLAMA_MODEL
        self.timeout = httpx.Timeout(settings.OLLAMA_TIMEOUT, connect=settings.OLLAMA_CONNECT_TIMEOUT)
        self.deadline_seconds = settings.OLLAMA_TIMEOUT
        self.retries = max(0, settings.OLLAMA_RETRIES)

    def _payload(self, messages: list[dict], stream: bool) -> dict:
        return {
            "model": self.model,
            "messages": messages,
            "stream": stream,
            "keep_alive": settings.OLLAMA_KEEP_ALIVE,
            "options": {
                "temperature": settings.OLLAMA_TEMPERATURE,
                "num_predict": settings.OLLAMA_MAX_TOKENS,
                "num_ctx": settings.OLLAMA_NUM_CTX,
            },
        }

    def health(self) -> dict:
        """Models Ollama has (``/api/tags``); raises OllamaError when unreachable."""
        try:
            response = httpx.get(f"{self.base_url}/api/tags", timeout=httpx.Timeout(2.0, connect=1.0))
            response.raise_for_status()
            models = [m.get("name") for m in response.json().get("models", [])]
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, AttributeError) as exc:
            raise OllamaError(f"Ollama unreachable: {exc}") from exc
        return {"ok": True, "models": models, "model_present": any(self._same_model(m) for m in models)}

    def _same_model(self, name: str | None) -> bool:
        if not name:
            return False
        return name == self.model or name.split(":")[0] == self.model.split(":")[0] and ":" not in self.model

    def chat(self, messages: list[dict]) -> ChatResult:
        """Non-streaming chat."""
        return self._guarded(lambda: self._chat_once(messages))

    def chat_stream(self, messages: list[dict]) -> Iterator[str]:
        """Yields content tokens; raises OllamaError (after retries, before any token) on failure.
        A failure after tokens were yielded raises OllamaError too (no retry: tokens are out)."""
        if not configured():
            raise OllamaError("No LLM configured")
        if not breaker.allow():
            raise CircuitOpen("Ollama circuit is open")
        attempt = 0
        while True:
            yielded = False
            try:
                for token in self._stream_once(messages):
                    yielded = True
                    yield token
                breaker.success()
                return
            except OllamaError as exc:
                if yielded or attempt >= self.retries or isinstance(exc, _NoRetry):
                    breaker.failure()
                    raise
                attempt += 1
                time.sleep(min(0.2 * attempt, 1.0))
            except GeneratorExit:
                breaker.abandon()
                raise

    def _guarded(self, call):
        if not configured():
            raise OllamaError("No LLM configured")
        if not breaker.allow():
            raise CircuitOpen("Ollama circuit is open")
        attempt = 0
        while True:
            try:
                result = call()
                breaker.success()
                return result
            except OllamaError as exc:
                if attempt >= self.retries or isinstance(exc, _NoRetry):
                    breaker.failure()
                    raise
                attempt += 1
                time.sleep(min(0.2 * attempt, 1.0))

    def _chat_once(self, messages: list[dict]) -> ChatResult:
        try:
            response = httpx.post(
                f"{self.base_url}/api/chat", json=self._payload(messages, False), timeout=self.timeout
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _classify(exc) from exc
        if response.status_code >= 400:
            raise _status_error(response.status_code)
        try:
            data = response.json()
            if not isinstance(data, dict):
                raise TypeError("not an object")
            content = data["message"]["content"]
            if not isinstance(content, str):
                raise TypeError("content is not text")
        except (ValueError, KeyError, TypeError) as exc:
            raise OllamaError(f"Invalid reply from Ollama: {exc}") from exc
        return ChatResult(
            content=content,
            eval_count=data.get("eval_count"),
            prompt_eval_count=data.get("prompt_eval_count"),
            total_duration_ms=(data.get("total_duration") or 0) / 1e6 or None,
            done_reason=data.get("done_reason"),
        )

    def _stream_once(self, messages: list[dict]) -> Iterator[str]:
        deadline = time.monotonic() + self.deadline_seconds
        try:
            with httpx.stream(
                "POST", f"{self.base_url}/api/chat", json=self._payload(messages, True), timeout=self.timeout
            ) as response:
                if response.status_code >= 400:
                    raise _status_error(response.status_code)
                done = False
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        raise _NoRetry("Ollama took too long")
                    if not line.strip():
                        continue
                    try:
                        data = json.loads(line)
                        if not isinstance(data, dict):
                            raise TypeError(f"a {type(data).__name__}, not an object")
                        if "error" in data:
                            raise OllamaError(f"Ollama error: {data['error']}")
                        token = data.get("message", {}).get("content", "") if not data.get("done") else ""
                        if not isinstance(token, str):
                            raise TypeError("content is not text")
                    except (ValueError, AttributeError, TypeError) as exc:
                        raise _NoRetry(f"Invalid NDJSON from Ollama: {exc}") from exc
                    if token:
                        yield token
                    if data.get("done"):
                        done = True
                        break
                if not done:
                    raise OllamaError("Ollama closed the stream before it was done")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _classify(exc) from exc


class _NoRetry(OllamaError):
    """A failure retrying will not fix (garbage output, past the deadline)."""


def _classify(exc: httpx.HTTPError | httpx.InvalidURL) -> OllamaError:
    if isinstance(exc, httpx.TimeoutException):
        return _NoRetry(f"Ollama timed out: {exc!r}")
    return OllamaError(f"Ollama request failed: {exc!r}")


def _status_error(status: int) -> OllamaError:
    if status == 404:
        return _NoRetry("Ollama has no such model (404)")
    if 400 <= status < 500:
        return _NoRetry(f"Ollama refused the request ({status})")
    return OllamaError(f"Ollama answered {status}")
