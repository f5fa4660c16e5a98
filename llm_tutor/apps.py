import os

from django.apps import AppConfig
from django.conf import settings


def llm_readiness() -> dict:
    """Reported on /readyz, not required: without the LLM the tutor answers offline."""
    from .llm import status

    state = status()
    return {"ok": state["reachable"] is not False, "required": False, **state}


class LlmTutorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "llm_tutor"

    def ready(self):
        if settings.LLM_PROVIDER == "llamacpp":
            # Before torch (the embedding model) loads the OpenMP runtime llama.cpp shares: its
            # threads must sleep, not spin, while they wait (llamacpp._passive_openmp).
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from core.health import register_check

        from . import system_checks  # noqa: F401  (registers the LLM settings checks)

        register_check("llm", llm_readiness)
