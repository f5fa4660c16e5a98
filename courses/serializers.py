"""Shapes of courses, modules, lessons and progress, as the apps read them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.query import QuerySerializer
from core.serializers import RejectUnknownFieldsMixin
from schools.models import Level

from . import step_checks
from .lesson_media import LessonVideosField
from .models import ContentTransition, Course, Lesson, LessonProgress, LessonStep, Module

# What describes a course, in the catalog and in the admin's editor alike.
COURSE_DESCRIPTION_FIELDS = [
    "title",
    "summary",
    "description",
    "image",
    "level",
    "tags",
    "estimated_duration_minutes",
]


# A lesson's own fields, in the order both the player and the admin editor show them.
LESSON_BODY_FIELDS = [
    "title",
    "summary",
    "content",
    "lesson_type",
    "order",
    "duration_seconds",
    "estimated_duration_minutes",
]


class LessonSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = [
            "lesson_id",
            "title",
            "summary",
            "lesson_type",
            "order",
            "duration_seconds",
            "estimated_duration_minutes",
        ]


class ModuleOutlineSerializer(serializers.ModelSerializer):
    lessons = LessonSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["module_id", "title", "summary", "order", "lessons"]


class CourseSerializer(serializers.ModelSerializer):
    """A course as the catalog and detail pages read it. Load it with
    ``selectors.outline_prefetch``: ``modules`` are the visible ones only."""

    image = serializers.SerializerMethodField()
    lesson_count = serializers.SerializerMethodField()
    is_enrolled = serializers.SerializerMethodField()
    modules = ModuleOutlineSerializer(many=True, read_only=True, source="outline")

    class Meta:
        model = Course
        fields = [
            "course_id",
            *COURSE_DESCRIPTION_FIELDS,
            "lesson_count",
            "is_enrolled",
            "published_at",
            "modules",
        ]

    def get_image(self, course) -> str | None:
        return course.image.url if course.image else None

    def get_lesson_count(self, course) -> int:
        return sum(len(module.lessons.all()) for module in course.outline)

    def get_is_enrolled(self, course) -> bool:
        return course.pk in self.context.get("enrolled_ids", set())


# What a step's answer is made of: a student never gets these, wherever the step is shown.
STEP_ANSWER_FIELDS = ["expected_code", "page_html", "checks"]


class StudentStepSerializer(serializers.ModelSerializer):
    """A step as students see it, never its answer: the one definition, for the lesson player,
    the tutor and the offline bundle. A use that shows fewer fields, or one under an older name,
    subclasses it and picks its ``Meta.fields`` from these."""

    curriculum_ids = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = LessonStep
        fields = [
            "step_number",
            "title",
            "instructions",
            "starter_code",
            "language",
            "is_assignment",
            "estimated_minutes",
            "curriculum_ids",
        ]
        read_only_fields = fields  # an answer shape: every field is always there


class AdminStepSerializer(StudentStepSerializer):
    """A step with its answer, for admins."""

    class Meta(StudentStepSerializer.Meta):
        fields = [*StudentStepSerializer.Meta.fields, *STEP_ANSWER_FIELDS]


class AdminStepWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """A step as admins author it; ``checks`` is validated against the check schema, and a bad
    check is refused with a sentence naming it (its position and id)."""

    checks = serializers.JSONField(required=False)

    class Meta:
        model = LessonStep
        fields = [*AdminStepSerializer.Meta.fields]
        extra_kwargs = {"step_number": {"max_value": 10_000}, "estimated_minutes": {"max_value": 600}}

    def validate_checks(self, value):
        try:
            return step_checks.validate_checks(value)
        except step_checks.CheckError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_language(self, value):
        if value not in ("html", "css", "js"):
            raise serializers.ValidationError("Use html, css or js.")
        return value


class ProgressSerializer(serializers.ModelSerializer):
    lesson_id = serializers.CharField(source="lesson.lesson_id", read_only=True)
    completed = serializers.SerializerMethodField()
    # Null until the student first saves progress on this lesson (found by the fuzzer).
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = LessonProgress
        fields = [
            "lesson_id",
            "last_position_seconds",
            "steps_completed",
            "time_spent_seconds",
            "completed",
            "completed_at",
            "updated_at",
        ]

    def get_completed(self, progress) -> bool:
        return progress.completed_at is not None

    @staticmethod
    def not_started(lesson) -> dict:
        """The progress of a lesson the student has not saved any on yet (no row)."""
        return {
            "lesson_id": lesson.lesson_id,
            "last_position_seconds": 0,
            "steps_completed": [],
            "time_spent_seconds": 0,
            "completed": False,
            "completed_at": None,
            "updated_at": None,
        }


class ProgressUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    last_position_seconds = serializers.FloatField(min_value=0, required=False)
    completed = serializers.BooleanField(required=False)
    steps_completed = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10_000), required=False, max_length=500
    )
    time_spent_seconds = serializers.IntegerField(min_value=0, max_value=10**7, required=False)


class LessonPlayerSerializer(serializers.ModelSerializer):
    course_id = serializers.CharField(source="module.course.course_id")
    module_id = serializers.CharField(source="module.module_id")
    steps = serializers.SerializerMethodField()
    videos = LessonVideosField()
    recording = LessonVideosField(first_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = [
            "lesson_id",
            "course_id",
            "module_id",
            *LESSON_BODY_FIELDS,
            "steps",
            "videos",
            "recording",
            "progress",
        ]

    @extend_schema_field(AdminStepSerializer(many=True))
    def get_steps(self, lesson) -> list[dict]:
        serializer = AdminStepSerializer if self.context.get("is_admin") else StudentStepSerializer
        return serializer(lesson.steps.all(), many=True).data

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, lesson) -> dict | None:
        progress = self.context.get("progress")
        return ProgressSerializer(progress).data if progress else None


class CourseQuerySerializer(QuerySerializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    level = serializers.ChoiceField(choices=Level.choices, required=False)


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TransitionSerializer(serializers.ModelSerializer):
    performed_by = serializers.SerializerMethodField()

    class Meta:
        model = ContentTransition
        fields = ["id", "from_status", "to_status", "notes", "performed_by", "created_at", "content_object_repr"]

    def get_performed_by(self, transition) -> str | None:
        return transition.performed_by.full_name or transition.performed_by.user_id if transition.performed_by else None


STATUS_FIELDS = ["status", "status_display", "review_notes", "submitted_for_review_at", "published_at"]


class AdminLessonSerializer(serializers.ModelSerializer):
    module = serializers.SlugRelatedField(slug_field="module_id", queryset=Module.objects.all())
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    videos = LessonVideosField()
    steps = AdminStepSerializer(many=True, read_only=True)
    thumbnail = serializers.ImageField(read_only=True)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "lesson_id",
            "module",
            *LESSON_BODY_FIELDS,
            "thumbnail",
            "steps",
            "videos",
            *STATUS_FIELDS,
        ]
        read_only_fields = ["id", "lesson_id", *STATUS_FIELDS]
        extra_kwargs = {"order": {"max_value": 10_000}, "duration_seconds": {"max_value": 6 * 3600}}


class AdminModuleSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="course_id", queryset=Course.objects.all())
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lessons = AdminLessonSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "module_id", "course", "title", "summary", "order", "lessons", *STATUS_FIELDS]
        read_only_fields = ["id", "module_id", *STATUS_FIELDS]
        extra_kwargs = {"order": {"max_value": 10_000}}


class AdminCourseSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    modules = AdminModuleSerializer(many=True, read_only=True)
    image = serializers.ImageField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20, required=False)

    class Meta:
        model = Course
        fields = [
            "id",
            "course_id",
            *COURSE_DESCRIPTION_FIELDS,
            "modules",
            *STATUS_FIELDS,
        ]
        read_only_fields = ["id", "course_id", *STATUS_FIELDS]
        extra_kwargs = {"estimated_duration_minutes": {"max_value": 100_000}}
