from django.apps import AppConfig


class LlmTutorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "llm_tutor"
