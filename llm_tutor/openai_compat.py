"""The OpenAI-compatible provider: any server speaking Chat Completions (llama.cpp's llama-server,
llama-cpp-python's server, vLLM, LM Studio, Ollama under /v1).

httpx rather than the ``openai`` SDK: httpx is already the tutor's HTTP client, and the SDK's own
retries, timeouts and exceptions would sit beside (and fight) the shared retry loop, deadline and
circuit breaker in llm.py. The protocol needed is small: POST /chat/completions (SSE ``data:``
lines ending in ``[DONE]``) and GET /models.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
from django.conf import settings

from .llm import ChatResult, LLMError, NoRetry, breaker_for, guarded_call, guarded_stream

# Longest Retry-After we wait for inside one tutor turn; a longer one is answered offline.
MAX_RETRY_AFTER = 2.0
_calibration = {"ratio": 1.0}


class RateLimited(LLMError):
    def __init__(self, message: str, retry_after: float | None):
        super().__init__(message)
        self.retry_after = retry_after


class OpenAIClient:
    name = "openai"

    def __init__(self, base_url: str | None = None, model: str | None = None):
        self.base_url = (base_url or settings.OPENAI_BASE_URL).rstrip("/")
        self.model = model or settings.OPENAI_MODEL
        self.num_ctx = settings.LLM_NUM_CTX
        self.max_tokens = settings.LLM_MAX_TOKENS
        self.timeout = httpx.Timeout(settings.LLM_TIMEOUT, connect=settings.LLM_CONNECT_TIMEOUT)
        self.deadline_seconds = settings.LLM_TIMEOUT
        self.retries = max(0, settings.LLM_RETRIES)
        self.headers = {"Authorization": f"Bearer {settings.OPENAI_API_KEY}"} if settings.OPENAI_API_KEY else {}
        self.last: ChatResult | None = None

    def _payload(self, messages: list[dict], stream: bool) -> dict:
        payload = {
            "model": self.model,
            "messages": messages,
            "stream": stream,
            "max_tokens": self.max_tokens,
            "temperature": settings.LLM_TEMPERATURE,
        }
        if stream:
            payload["stream_options"] = {"include_usage": True}  # token counts in the last chunk
        return payload

    # --- health ------------------------------------------------------------------------------
    def models(self) -> list[str]:
        try:
            response = httpx.get(
                f"{self.base_url}/models", headers=self.headers, timeout=httpx.Timeout(2.0, connect=1.0)
            )
            response.raise_for_status()
            data = response.json()
            return [str(m["id"]) for m in data["data"]]
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise LLMError(f"LLM server unreachable: {exc}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise LLMError(f"Not an OpenAI-compatible server (GET /models): {exc!r}") from exc

    def health(self) -> dict:
        models = self.models()
        return {"ok": True, "models": models, "model_present": self.model in models}

    def count_tokens(self, messages: list[dict]) -> int | None:
        from .prompts import estimate_messages

        return int(estimate_messages(messages) * max(1.0, _calibration["ratio"]))

    # --- chat --------------------------------------------------------------------------------
    def chat(self, messages: list[dict]) -> ChatResult:
        return guarded_call(lambda: self._chat_once(messages), breaker=breaker_for(self.name), retries=self.retries)

    def chat_stream(self, messages: list[dict]) -> Iterator[str]:
        """Yields content tokens; afterwards ``self.last`` holds finish_reason and usage."""
        yield from guarded_stream(
            lambda: self._stream_once(messages), breaker=breaker_for(self.name), retries=self.retries
        )

    def _learn(self, messages: list[dict], result: ChatResult) -> None:
        from .prompts import estimate_messages

        self.last = result
        if result.prompt_eval_count:
            _calibration["ratio"] = result.prompt_eval_count / max(1, estimate_messages(messages))

    def _chat_once(self, messages: list[dict]) -> ChatResult:
        try:
            response = httpx.post(
                f"{self.base_url}/chat/completions",
                json=self._payload(messages, False),
                headers=self.headers,
                timeout=self.timeout,
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _classify(exc) from exc
        if response.status_code >= 400:
            raise _status_error(response)
        try:
            data = response.json()
            choice = data["choices"][0]
            content = choice["message"]["content"]
            if not isinstance(content, str):
                raise TypeError("content is not text")
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise NoRetry(f"Invalid reply from the LLM server: {exc!r}") from exc
        result = _result(content, choice.get("finish_reason"), data.get("usage"))
        self._learn(messages, result)
        return result

    def _stream_once(self, messages: list[dict]) -> Iterator[str]:
        self.last = None
        deadline = time.monotonic() + self.deadline_seconds
        finish_reason = usage = None
        try:
            with httpx.stream(
                "POST",
                f"{self.base_url}/chat/completions",
                json=self._payload(messages, True),
                headers=self.headers,
                timeout=self.timeout,
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _status_error(response)
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        raise NoRetry("The LLM server took too long")
                    if not line.strip() or line.startswith(":"):  # keep-alive comments
                        continue
                    if not line.startswith("data:"):
                        if line.startswith(("event:", "id:", "retry:")):
                            continue
                        raise NoRetry(f"Not a server-sent event: {line[:80]!r}")
                    data = line[5:].strip()
                    if data == "[DONE]":
                        self._learn(messages, _result("", finish_reason, usage))
                        return
                    token, reason, chunk_usage = _parse_chunk(data)
                    finish_reason = reason or finish_reason
                    usage = chunk_usage or usage
                    if token:
                        yield token
                raise LLMError("The LLM server closed the stream before [DONE]")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _classify(exc) from exc


def _parse_chunk(data: str) -> tuple[str, str | None, dict | None]:
    try:
        chunk = json.loads(data)
        if not isinstance(chunk, dict):
            raise TypeError(f"a {type(chunk).__name__}, not an object")
        if "error" in chunk:
            raise NoRetry(f"LLM server error: {str(chunk['error'])[:200]}")
        choices = chunk.get("choices") or []
        if not isinstance(choices, list):
            raise TypeError("choices is not a list")
        token, reason = "", None
        if choices:
            choice = choices[0]
            token = (choice.get("delta") or {}).get("content") or ""
            reason = choice.get("finish_reason")
            if not isinstance(token, str):
                raise TypeError("content is not text")
        usage = chunk.get("usage")
        return token, reason if isinstance(reason, str) else None, usage if isinstance(usage, dict) else None
    except (ValueError, AttributeError, TypeError) as exc:
        raise NoRetry(f"Invalid SSE chunk from the LLM server: {exc!r}") from exc


def _result(content: str, finish_reason, usage) -> ChatResult:
    usage = usage if isinstance(usage, dict) else {}

    def count(key):
        value = usage.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

    return ChatResult(
        content=content,
        eval_count=count("completion_tokens"),
        prompt_eval_count=count("prompt_tokens"),
        done_reason=finish_reason if isinstance(finish_reason, str) else None,
    )


def _classify(exc: httpx.HTTPError | httpx.InvalidURL) -> LLMError:
    if isinstance(exc, httpx.TimeoutException):
        return NoRetry(f"The LLM server timed out: {exc!r}")
    return LLMError(f"LLM request failed: {exc!r}")


def _status_error(response: httpx.Response) -> LLMError:
    status = response.status_code
    if status == 429:
        try:
            wait = float(response.headers.get("Retry-After", ""))
        except ValueError:
            wait = None
        if wait is None or wait > MAX_RETRY_AFTER:
            return NoRetry(f"The LLM server is busy (429, Retry-After {response.headers.get('Retry-After')})")
        return RateLimited("The LLM server is busy (429)", retry_after=max(0.0, wait))
    if status in (401, 403):
        return NoRetry(f"The LLM server refused our key ({status})")
    if status == 404:
        return NoRetry("The LLM server has no such model or path (404)")
    if 400 <= status < 500:
        return NoRetry(f"The LLM server refused the request ({status}): {response.text[:200]}")
    return LLMError(f"The LLM server answered {status}")
