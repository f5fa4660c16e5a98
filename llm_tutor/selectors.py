"""Reads of the tutor's state: is the index live, is an LLM configured and answering."""

from __future__ import annotations

from django.conf import settings

from .index import IndexUnavailable, get_index
from .ollama import OllamaClient, OllamaError, breaker, configured


def tutor_status(*, probe_llm: bool = True) -> dict:
    """What an admin (or readiness check) wants to know; never raises.

    ``probe_llm`` asks Ollama's ``/api/tags`` (a short call) unless the circuit is open.
    """
    try:
        index = get_index()
        index_state = {"version": index.version, "entries": len(index), "model": index.model}
    except IndexUnavailable:
        index_state = None
    llm = {
        "configured": configured(),
        "model": settings.OLLAMA_MODEL or None,
        "circuit_open": breaker.is_open,
        "reachable": None,
        "model_present": None,
    }
    if llm["configured"] and probe_llm and not breaker.is_open:
        try:
            health = OllamaClient().health()
            llm.update(reachable=True, model_present=health["model_present"])
        except OllamaError:
            llm["reachable"] = False
    mode = "offline"
    if llm["configured"] and llm["reachable"] is not False and not llm["circuit_open"]:
        mode = "llm"
    return {"index": index_state, "llm": llm, "mode": mode}
