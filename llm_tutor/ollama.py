"""The Ollama provider (httpx): /api/chat (streaming NDJSON or not), /api/tags health,
timeouts, keep_alive, generation options, limited retries and a circuit breaker (llm.py)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import httpx
from django.conf import settings

from .llm import ChatResult, CircuitBreaker, CircuitOpen, LLMError, NoRetry, guarded_call, guarded_stream

__all__ = ["ChatResult", "CircuitOpen", "OllamaClient", "OllamaError", "breaker", "configured"]

logger = logging.getLogger(__name__)


# One error family for every provider: callers catch LLMError (OllamaError is the same class).
OllamaError = LLMError
breaker = CircuitBreaker("OLLAMA_")
# Ollama's own token count of the last prompt over our estimate of it: later prompts are sized with it.
_calibration = {"ratio": 1.0}


def configured() -> bool:
    return bool(settings.OLLAMA_MODEL)


class OllamaClient:
    name = "ollama"

    def __init__(self, base_url: str | None = None, model: str | None = None):
        self.base_url = (base_url or settings.OLLAMA_BASE_URL).rstrip("/")
        self.model = model or settings.OLLAMA_MODEL
        self.num_ctx = settings.OLLAMA_NUM_CTX
        self.max_tokens = settings.OLLAMA_MAX_TOKENS
        self.last: ChatResult | None = None
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

    def models(self) -> list[str]:
        return self.health()["models"]

    def count_tokens(self, messages: list[dict]) -> int | None:
        """No tokenizer over HTTP: our estimate, scaled by how far off it was on the last reply."""
        from .prompts import estimate_messages

        return int(estimate_messages(messages) * max(1.0, _calibration["ratio"]))

    def chat(self, messages: list[dict]) -> ChatResult:
        """Non-streaming chat."""
        if not configured():
            raise OllamaError("No LLM configured")
        return guarded_call(lambda: self._chat_once(messages), breaker=breaker, retries=self.retries)

    def chat_stream(self, messages: list[dict]) -> Iterator[str]:
        """Yields content tokens; raises OllamaError (after retries, before any token) on failure.
        A failure after tokens were yielded raises OllamaError too (no retry: tokens are out).
        Afterwards ``self.last`` holds the final object's done_reason and token counts."""
        if not configured():
            raise OllamaError("No LLM configured")
        yield from guarded_stream(lambda: self._stream_once(messages), breaker=breaker, retries=self.retries)

    def _learn(self, messages: list[dict], result: ChatResult) -> None:
        from .prompts import estimate_messages

        self.last = result
        if result.prompt_eval_count:
            _calibration["ratio"] = result.prompt_eval_count / max(1, estimate_messages(messages))

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
        result = _result(data, content)
        self._learn(messages, result)
        return result

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
                        self._learn(messages, _result(data, ""))
                        break
                if not done:
                    raise OllamaError("Ollama closed the stream before it was done")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _classify(exc) from exc


_NoRetry = NoRetry


def _result(data: dict, content: str) -> ChatResult:
    return ChatResult(
        content=content,
        eval_count=_count(data.get("eval_count")),
        prompt_eval_count=_count(data.get("prompt_eval_count")),
        total_duration_ms=(_count(data.get("total_duration")) or 0) / 1e6 or None,
        done_reason=data.get("done_reason") if isinstance(data.get("done_reason"), str) else None,
    )


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


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
