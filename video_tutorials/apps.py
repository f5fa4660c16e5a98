from django.apps import AppConfig


class VideoTutorialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "video_tutorials"
