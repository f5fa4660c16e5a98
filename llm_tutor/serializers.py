"""Request and response serializers of the tutor API (exact: the OpenAPI schema is fuzzed)."""

from django.conf import settings
from rest_framework import serializers

from core.errors import PayloadTooLarge
from courses.serializers import StudentStepSerializer

from .prompts import LANGUAGE_NAMES

STATUS_CHOICES = ["correct", "close", "off_track"]
SOURCE_CHOICES = ["llm", "offline", "cache"]


def _encodable(value: str, field: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise serializers.ValidationError({field: ["Text must be valid UTF-8."]}) from exc
    return value


def validate_code(value: str) -> str:
    _encodable(value, "code")
    if len(value.encode("utf-8")) > settings.TUTOR_MAX_CODE_BYTES:
        raise PayloadTooLarge(f"Code is larger than {settings.TUTOR_MAX_CODE_BYTES} bytes.")
    return value


class UpdateRequestSerializer(serializers.Serializer):
    lesson_id = serializers.CharField(max_length=40)
    step = serializers.IntegerField(min_value=1, max_value=100000)
    code = serializers.CharField(allow_blank=True, trim_whitespace=False)
    language = serializers.ChoiceField(choices=sorted(LANGUAGE_NAMES), default="en", required=False)

    def validate_code(self, value):
        return validate_code(value)

    def validate_lesson_id(self, value):
        return _encodable(value, "lesson_id")


class AskRequestSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=2000)
    lesson_id = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True)
    step = serializers.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True)
    code = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False, allow_null=True)
    language = serializers.ChoiceField(choices=sorted(LANGUAGE_NAMES), default="en", required=False)

    def validate_question(self, value):
        return _encodable(value, "question")

    def validate_lesson_id(self, value):
        return _encodable(value, "lesson_id") if value else value

    def validate_code(self, value):
        return validate_code(value) if value else value

    def validate(self, attrs):
        if attrs.get("step") is not None and not attrs.get("lesson_id"):
            raise serializers.ValidationError({"step": ["Give lesson_id with step."]})
        return attrs


class ReferenceSerializer(serializers.Serializer):
    id = serializers.CharField()
    code = serializers.CharField()
    title = serializers.CharField()


class DiffLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["changed", "missing", "extra"])
    code = serializers.CharField(allow_blank=True, help_text="The student's own line (empty for a missing line).")


class DiffSerializer(serializers.Serializer):
    similarity = serializers.FloatField()
    changed_lines = serializers.IntegerField()
    missing_lines = serializers.IntegerField()
    extra_lines = serializers.IntegerField()
    first_difference_line = serializers.IntegerField(allow_null=True)
    lines = DiffLineSerializer(many=True)
    hints = serializers.ListField(child=serializers.CharField())


class _ReplyFields(serializers.Serializer):
    references = ReferenceSerializer(many=True, help_text="Curriculum entries used (ids as in curriculum/).")
    source = serializers.ChoiceField(choices=SOURCE_CHOICES)
    language = serializers.CharField()
    guarded = serializers.BooleanField(help_text="The reply was replaced by a hint because it gave the answer away.")
    interaction_duration = serializers.FloatField(help_text="Seconds the tutor took.")


class CheckResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    passed = serializers.BooleanField()
    message = serializers.CharField(help_text="The requirement, as the student sees it (never the expected code).")


class UpdateResponseSerializer(_ReplyFields):
    explanation = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    diff = DiffSerializer()
    branch_id = serializers.CharField()
    assignment_feedback = serializers.CharField(allow_null=True)
    checks = CheckResultSerializer(many=True, help_text="The step's checks on this code, in order.")


class AskResponseSerializer(_ReplyFields):
    answer = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUS_CHOICES, allow_null=True)
    diff = DiffSerializer(allow_null=True)


class LessonStepSerializer(StudentStepSerializer):
    """A step as the tutor client reads it: the student's step, ``instructions`` under the
    name the existing client reads (``description``)."""

    description = serializers.CharField(source="instructions", read_only=True)

    class Meta(StudentStepSerializer.Meta):
        fields = ["description" if name == "instructions" else name for name in StudentStepSerializer.Meta.fields]


class AdminLessonStepSerializer(LessonStepSerializer):
    """Admins also get the expected code (not the checks or page: the tutor client shows neither)."""

    expected_code = serializers.CharField(allow_blank=True, required=False, help_text="Admins only.")

    class Meta(LessonStepSerializer.Meta):
        fields = [*LessonStepSerializer.Meta.fields, "expected_code"]


class TutorLessonSerializer(serializers.Serializer):
    lesson_id = serializers.CharField()
    title = serializers.CharField()
    estimated_duration = serializers.IntegerField(help_text="Minutes.")
    steps = AdminLessonStepSerializer(many=True, help_text="Steps; expected_code only for admins.")


class BranchStepSerializer(serializers.Serializer):
    step_number = serializers.IntegerField()


class BranchSerializer(serializers.Serializer):
    branch_id = serializers.CharField()
    code = serializers.CharField(allow_blank=True)
    step = BranchStepSerializer()
    timestamp = serializers.DateTimeField()


class ExchangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    student = serializers.CharField(source="student.user_id")
    lesson_id = serializers.SerializerMethodField()
    step_number = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=["update", "ask"])
    code = serializers.CharField(allow_blank=True)
    question = serializers.CharField(allow_blank=True)
    reply = serializers.CharField(allow_blank=True, help_text="What the student was shown.")
    status = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=SOURCE_CHOICES)
    language = serializers.CharField()
    references = ReferenceSerializer(many=True)
    guarded = serializers.BooleanField()
    interrupted = serializers.BooleanField(help_text="The student left before the reply finished.")
    latency_ms = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_lesson_id(self, obj) -> str | None:
        return obj.lesson.lesson_id if obj.lesson_id else None


class TutorIndexStatusSerializer(serializers.Serializer):
    version = serializers.CharField()
    entries = serializers.IntegerField()
    model = serializers.CharField()


class TutorLLMStatusSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=["ollama", "openai", "llamacpp", "none"])
    configured = serializers.BooleanField()
    model = serializers.CharField(allow_null=True)
    circuit_open = serializers.BooleanField()
    reachable = serializers.BooleanField(allow_null=True, help_text="null when not asked (no LLM, circuit open).")
    model_present = serializers.BooleanField(allow_null=True)
    error = serializers.CharField(allow_null=True, help_text="Why the provider does not answer, when it does not.")


class TutorStatusSerializer(serializers.Serializer):
    index = TutorIndexStatusSerializer(allow_null=True, help_text="null until the index is built.")
    llm = TutorLLMStatusSerializer()
    mode = serializers.ChoiceField(choices=["llm", "offline"])
