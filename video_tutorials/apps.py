from django.apps import AppConfig

from courses.lesson_media import LessonMediaProvider, register_lesson_media


class VideoTutorialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "video_tutorials"

    def ready(self):
        # courses sits below this app and shows lessons' videos through this provider. Models
        # (and the modules that import them) load only once the app registry is ready.
        from .models import Recording
        from .selectors import lesson_media_for
        from .serializers import LessonVideoSerializer

        register_lesson_media(
            LessonMediaProvider(
                videos_for=lesson_media_for,
                has_transcoded_recording=lambda lesson: lesson.recordings.filter(
                    status=Recording.Status.READY
                ).exists(),
                video_serializer=LessonVideoSerializer,
            )
        )
