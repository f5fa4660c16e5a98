"""Tutor history (every exchange, per student and step) and students' saved code branches."""

from django.conf import settings
from django.db import models

from core.ids import new_public_id


def new_branch_id() -> str:
    return new_public_id("BRN")


class TutorExchange(models.Model):
    class Kind(models.TextChoices):
        UPDATE = "update", "Code update"
        ASK = "ask", "Question"

    class Source(models.TextChoices):
        LLM = "llm", "LLM"
        OFFLINE = "offline", "Offline"
        CACHE = "cache", "Cache"

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_exchanges")
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.SET_NULL, null=True, blank=True, related_name="tutor_exchanges"
    )
    step_number = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    code = models.TextField(blank=True)
    question = models.TextField(blank=True)
    reply = models.TextField()
    status = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=7, choices=Source.choices)
    language = models.CharField(max_length=8, default="en")
    references = models.JSONField(default=list, blank=True)
    guarded = models.BooleanField(default=False, help_text="The reply was replaced because it leaked the answer.")
    latency_ms = models.PositiveIntegerField(default=0)
    interrupted = models.BooleanField(
        default=False, help_text="The student left mid-reply (e.g. a dropped connection); the streamed part is kept."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["student", "-created_at"]), models.Index(fields=["lesson", "step_number"])]

    def __str__(self) -> str:
        return f"{self.student} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class CodeBranch(models.Model):
    """A student's saved code for one lesson step (a new branch when the code changes)."""

    branch_id = models.CharField(max_length=20, unique=True, default=new_branch_id, editable=False)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="code_branches")
    lesson = models.ForeignKey("courses.Lesson", on_delete=models.CASCADE, related_name="code_branches")
    step = models.ForeignKey("courses.LessonStep", on_delete=models.CASCADE, related_name="code_branches")
    code = models.TextField(blank=True)
    timestamp = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["student", "lesson", "-timestamp"])]

    def __str__(self) -> str:
        return self.branch_id
