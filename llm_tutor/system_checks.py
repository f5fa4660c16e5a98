"""Startup checks of the LLM settings (``manage.py check``, run by migrate and runserver): a typo in
LLM_PROVIDER or a GGUF path that is missing or not a model is said plainly at deploy time, not
discovered as a tutor that quietly answers offline."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .llm import PROVIDERS


@register()
def llm_settings_check(app_configs=None, **kwargs):
    problems = []
    name = (settings.LLM_PROVIDER or "").strip().lower()
    if name and name not in PROVIDERS:
        problems.append(
            Error(
                f"LLM_PROVIDER={settings.LLM_PROVIDER!r} is not one of {', '.join(PROVIDERS)}.",
                id="llm_tutor.E001",
            )
        )
    if name == "llamacpp":
        from .llamacpp import check_model_file

        problem = check_model_file(settings.LLM_MODEL_PATH)
        if problem:
            problems.append(Warning(problem, hint="The tutor answers offline until it is fixed.", id="llm_tutor.W001"))
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            problems.append(
                Warning(
                    "LLM_PROVIDER=llamacpp needs llama-cpp-python: pip install -r requirements-llm.txt",
                    id="llm_tutor.W002",
                )
            )
    if name == "openai" and not settings.OPENAI_MODEL:
        problems.append(Warning("LLM_PROVIDER=openai needs OPENAI_MODEL.", id="llm_tutor.W003"))
    return problems
