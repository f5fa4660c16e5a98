"""The videos of lessons, as the video app provides them.

courses sits below the video app: video_tutorials reads courses' models and its visibility
rule, so courses cannot import it back. The lesson player and the admin content tree still
answer with each lesson's videos, and publishing a lesson asks whether it has a transcoded
recording: the video app registers those reads, and the one shape of a lesson video,
here when Django loads it (``VideoTutorialsConfig.ready``). Without a provider, lessons
simply have no videos.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers


@dataclass(frozen=True)
class LessonMediaProvider:
    # (lessons=, user=) → lesson pk → the videos (recordings) of that lesson the user may
    # see, ready to serialize, in a fixed number of queries for any number of lessons.
    videos_for: Callable[..., dict[int, list]]
    # lesson → it has a recording a student could watch once published.
    has_transcoded_recording: Callable[..., bool]
    # The one shape of a lesson video: ``LessonVideosField`` renders the videos with it, and
    # it is the field's OpenAPI schema. Context: ``include_original`` (admins' preview).
    video_serializer: type[serializers.Serializer]


_provider: LessonMediaProvider | None = None


def register_lesson_media(provider: LessonMediaProvider) -> None:
    global _provider
    _provider = provider


def videos_by_lesson(*, lessons: Iterable, user) -> dict[int, list]:
    lessons = list(lessons)
    if _provider is None:
        return {lesson.pk: [] for lesson in lessons}
    return _provider.videos_for(lessons=lessons, user=user)


def has_transcoded_recording(lesson) -> bool:
    return _provider is not None and _provider.has_transcoded_recording(lesson)


class LessonVideosField(serializers.Field):
    """A lesson's videos, from the ``videos_by_lesson`` the view put in the serializer
    context, in the provider's ``video_serializer`` shape; with ``first_only``, its first
    video or null (the player's ``recording``). ``is_admin`` in the context: admins also get
    the original upload of a video not transcoded yet."""

    def __init__(self, *, first_only: bool = False, **kwargs):
        self.first_only = first_only
        super().__init__(source="*", read_only=True, allow_null=first_only, **kwargs)

    def to_representation(self, lesson):
        videos = self.context.get("videos_by_lesson", {}).get(lesson.pk, [])
        if self.first_only:
            videos = videos[:1]
        if not videos:  # also: no provider
            return None if self.first_only else []
        context = {"include_original": self.context.get("is_admin", False)}
        rendered = _provider.video_serializer(videos, many=True, context=context).data
        return rendered[0] if self.first_only else rendered


class LessonVideosFieldSchema(OpenApiSerializerFieldExtension):
    target_class = LessonVideosField

    def map_serializer_field(self, auto_schema, direction):
        if _provider is None:
            video = build_basic_type(OpenApiTypes.OBJECT)
        else:  # read-only: the response shape, even inside a request body's component
            video = auto_schema.resolve_serializer(_provider.video_serializer(), "response").ref
        return video if self.target.first_only else build_array_type(video)
