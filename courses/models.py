"""Courses → modules → lessons → steps (one lesson model for the player and the tutor),
the publishing workflow's audit log, enrolment and progress."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.ids import new_public_id
from schools.models import Level

from .step_checks import CheckError, validate_checks


def new_course_id() -> str:
    return new_public_id("CRS")


def new_module_id() -> str:
    return new_public_id("MOD")


def new_lesson_id() -> str:
    return new_public_id("LSN")


class PublishStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Publishable(models.Model):
    """Fields of the draft → in_review → published workflow (see courses.services)."""

    status = models.CharField(max_length=10, choices=PublishStatus.choices, default=PublishStatus.DRAFT, db_index=True)
    review_notes = models.TextField(blank=True)
    submitted_for_review_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == PublishStatus.PUBLISHED


class Course(Publishable):
    course_id = models.CharField(max_length=20, unique=True, default=new_course_id, editable=False)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="courses/", blank=True)
    level = models.CharField(max_length=4, choices=Level.choices, db_index=True)
    tags = models.JSONField(default=list, blank=True)
    estimated_duration_minutes = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Module(Publishable):
    module_id = models.CharField(max_length=20, unique=True, default=new_module_id, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "id"]
        indexes = [models.Index(fields=["course", "order"])]

    def __str__(self) -> str:
        return self.title


class Lesson(Publishable):
    class LessonType(models.TextChoices):
        VIDEO = "video", "Video"
        PROJECT = "project", "Project"
        QUIZ = "quiz", "Quiz"
        REFLECTION = "reflection", "Reflection"

    lesson_id = models.CharField(max_length=20, unique=True, default=new_lesson_id, editable=False)
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    content = models.TextField(blank=True, help_text="Reading content shown beside the player (Markdown).")
    lesson_type = models.CharField(max_length=12, choices=LessonType.choices, default=LessonType.VIDEO)
    order = models.PositiveIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(default=0)
    estimated_duration_minutes = models.PositiveIntegerField(default=0)
    thumbnail = models.ImageField(upload_to="lessons/thumbnails/", blank=True)

    class Meta:
        ordering = ["module", "order", "id"]
        indexes = [models.Index(fields=["module", "order"])]

    def __str__(self) -> str:
        return self.title


def validate_step_checks(value) -> None:
    """Django admin and model validation: a malformed check is refused with a sentence naming it."""
    try:
        validate_checks(value)
    except CheckError as exc:
        raise ValidationError(str(exc)) from exc


class LessonStep(models.Model):
    """One step of a lesson: what to do, where to start, and (admins only) the answer."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="steps")
    step_number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200)
    instructions = models.TextField()
    starter_code = models.TextField(blank=True)
    expected_code = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="html", help_text="html, css or js")
    is_assignment = models.BooleanField(default=False)
    estimated_minutes = models.PositiveIntegerField(default=5)
    curriculum_ids = models.JSONField(default=list, blank=True, help_text="Ids of curriculum/ entries.")
    page_html = models.TextField(
        blank=True, help_text="CSS and JS steps: the page the student's code applies to (checks run against it)."
    )
    checks = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_step_checks],
        help_text="What the step requires, as a list of checks (see llm_tutor/checks); empty: derived from the expected code.",
    )

    class Meta:
        ordering = ["lesson", "step_number"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "step_number"], name="courses_step_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson.title} — step {self.step_number}"


class LessonAttachment(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="lessons/attachments/")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class ContentTransition(models.Model):
    """Audit log: every status change of a course, module or lesson (who, when, notes)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="transitions")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    content_object_repr = models.CharField(max_length=250)
    from_status = models.CharField(max_length=10, choices=PublishStatus.choices)
    to_status = models.CharField(max_length=10, choices=PublishStatus.choices)
    notes = models.TextField(blank=True)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.content_object_repr}: {self.from_status} → {self.to_status}"


class Enrollment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="courses_enrollment_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class LessonProgress(models.Model):
    """Where a student is in a lesson; saved often so they resume on any device."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    last_position_seconds = models.FloatField(default=0, validators=[MinValueValidator(0)])
    steps_completed = models.JSONField(default=list, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="courses_progress_unique"),
            models.CheckConstraint(condition=Q(last_position_seconds__gte=0), name="courses_progress_position_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.lesson}"


class LearningDay(models.Model):
    """One row per student per day on which they saved lesson progress: the source of the
    dashboard's streak (a progress row only remembers its last save)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_days")
    date = models.DateField()

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="courses_learning_day_unique")]

    def __str__(self) -> str:
        return f"{self.user} learned on {self.date}"
