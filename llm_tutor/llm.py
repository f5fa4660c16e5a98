"""The tutor's LLM, whichever server or library runs it.

Every provider module (``ollama``, ``openai_compat``, ``llamacpp``) implements ``Provider``: chat,
stream, health, models and a token count. What they share lives here: the errors, the circuit
breakers, the retry loop, and the choice of provider from settings (``LLM_PROVIDER``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

PROVIDERS = ("ollama", "openai", "llamacpp", "none")


class LLMError(RuntimeError):
    """The LLM could not give a usable answer (down, slow, error, garbage, busy, circuit open)."""


class CircuitOpen(LLMError):
    pass


class NoRetry(LLMError):
    """A failure retrying will not fix (garbage output, past the deadline, a refused request)."""


@dataclass
class ChatResult:
    content: str
    eval_count: int | None = None
    prompt_eval_count: int | None = None
    total_duration_ms: float | None = None
    # "stop", or "length" when the reply budget cut the reply short.
    done_reason: str | None = None


class Provider(Protocol):
    name: str
    model: str
    num_ctx: int
    max_tokens: int
    last: ChatResult | None  # after a stream: its finish reason and token counts

    def chat(self, messages: list[dict]) -> ChatResult: ...

    def chat_stream(self, messages: list[dict]) -> Iterator[str]: ...

    def health(self) -> dict: ...

    def models(self) -> list[str]: ...

    def count_tokens(self, messages: list[dict]) -> int | None: ...


class CircuitBreaker:
    """Opens after ``failures`` consecutive failures; while open, calls are refused for ``cooldown``
    seconds; then one trial call is let through (half-open). ``prefix`` names its settings
    (``OLLAMA_BREAKER_FAILURES`` …, ``LLM_BREAKER_FAILURES`` …)."""

    def __init__(self, prefix: str = "LLM_"):
        self.prefix = prefix
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None
        self._trial = False

    @property
    def threshold(self) -> int:
        return max(1, getattr(settings, f"{self.prefix}BREAKER_FAILURES"))

    @property
    def cooldown(self) -> float:
        return getattr(settings, f"{self.prefix}BREAKER_COOLDOWN")

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
                logger.warning("LLM circuit open for %.0fs after %d failures", self.cooldown, self.failures)
            self._trial = False

    def abandon(self) -> None:
        """A call ended without a verdict (client went away): let the next one try."""
        with self._lock:
            self._trial = False

    def reset(self) -> None:
        self.success()


def retry_delay(attempt: int, exc: LLMError) -> float:
    """Seconds before the next try: the server's Retry-After when it gave one, else a short backoff."""
    return getattr(exc, "retry_after", None) or min(0.2 * attempt, 1.0)


def guarded_call(call: Callable[[], ChatResult], *, breaker: CircuitBreaker, retries: int) -> ChatResult:
    """One call through the circuit breaker, retried ``retries`` times unless retrying cannot help."""
    if not breaker.allow():
        raise CircuitOpen("LLM circuit is open")
    attempt = 0
    while True:
        try:
            result = call()
            breaker.success()
            return result
        except LLMError as exc:
            if attempt >= retries or isinstance(exc, NoRetry):
                breaker.failure()
                raise
            attempt += 1
            time.sleep(retry_delay(attempt, exc))


def guarded_stream(stream: Callable[[], Iterator[str]], *, breaker: CircuitBreaker, retries: int) -> Iterator[str]:
    """Yields tokens; retries only while no token has been yielded (tokens already shown cannot be
    taken back by a retry). Closing it early closes the underlying stream."""
    if not breaker.allow():
        raise CircuitOpen("LLM circuit is open")
    attempt = 0
    while True:
        yielded = False
        try:
            for token in stream():
                yielded = True
                yield token
            breaker.success()
            return
        except LLMError as exc:
            if yielded or attempt >= retries or isinstance(exc, NoRetry):
                breaker.failure()
                raise
            attempt += 1
            time.sleep(retry_delay(attempt, exc))
        except GeneratorExit:
            breaker.abandon()
            raise


def provider_name() -> str:
    """The provider in use: LLM_PROVIDER, else Ollama when OLLAMA_MODEL is set (as before), else none."""
    name = (settings.LLM_PROVIDER or "").strip().lower()
    if not name:
        return "ollama" if settings.OLLAMA_MODEL else "none"
    return name if name in PROVIDERS else "none"


def configured() -> bool:
    name = provider_name()
    if name == "ollama":
        return bool(settings.OLLAMA_MODEL)
    if name == "openai":
        return bool(settings.OPENAI_MODEL and settings.OPENAI_BASE_URL)
    if name == "llamacpp":
        return bool(settings.LLM_MODEL_PATH)
    return False


def get_provider() -> Provider | None:
    """A client for the configured provider, or None (offline tutor). The llamacpp module, and so
    llama-cpp-python, is imported only when that provider is chosen."""
    if not configured():
        return None
    name = provider_name()
    if name == "ollama":
        from .ollama import OllamaClient

        return OllamaClient()
    if name == "openai":
        from .openai_compat import OpenAIClient

        return OpenAIClient()
    from .llamacpp import LlamaCppClient

    return LlamaCppClient()


def breaker_for(name: str | None = None) -> CircuitBreaker:
    name = name or provider_name()
    if name == "ollama":
        from .ollama import breaker

        return breaker
    return BREAKERS.setdefault(name, CircuitBreaker("LLM_"))


BREAKERS: dict[str, CircuitBreaker] = {}


def reset_breakers() -> None:
    breaker_for("ollama").reset()
    for breaker in BREAKERS.values():
        breaker.reset()


def model_name() -> str | None:
    name = provider_name()
    if name == "ollama":
        return settings.OLLAMA_MODEL or None
    if name == "openai":
        return settings.OPENAI_MODEL or None
    if name == "llamacpp":
        return settings.LLM_MODEL_PATH.rsplit("/", 1)[-1] or None
    return None


def status(*, probe: bool = True) -> dict:
    """Provider, model, and whether it answers (``reachable``: None when not asked); never raises."""
    name = provider_name()
    breaker = breaker_for(name)
    state = {
        "provider": name,
        "configured": configured(),
        "model": model_name(),
        "circuit_open": breaker.is_open,
        "reachable": None,
        "model_present": None,
        "error": None,
    }
    if state["configured"] and probe and not breaker.is_open:
        try:
            health = get_provider().health()
            state.update(reachable=True, model_present=health["model_present"])
        except LLMError as exc:
            state.update(reachable=False, error=str(exc)[:200])
    return state
