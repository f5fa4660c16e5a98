from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from .models import User
        from .user_cache import forget_user

        post_save.connect(forget_user, sender=User, dispatch_uid="auth-user-cache-save")
        post_delete.connect(forget_user, sender=User, dispatch_uid="auth-user-cache-delete")
