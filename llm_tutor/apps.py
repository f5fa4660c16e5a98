from django.apps import AppConfig


def llm_readiness() -> dict:
    """Reported on /readyz, not required: without the LLM the tutor answers offline."""
    from .llm import status

    state = status()
    return {"ok": state["reachable"] is not False, "required": False, **state}


class LlmTutorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "llm_tutor"

    def ready(self):
        from core.health import register_check

        from . import system_checks  # noqa: F401  (registers the LLM settings checks)

        register_check("llm", llm_readiness)
