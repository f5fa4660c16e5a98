"""A student's profile: school, class, level, and learning preferences."""

from django.conf import settings
from django.db import models

from schools.models import Level, School, SchoolClass


class Student(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student")
    school = models.ForeignKey(School, on_delete=models.SET_NULL, null=True, blank=True, related_name="students")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="students"
    )
    level = models.CharField(max_length=4, choices=Level.choices, blank=True)
    interest_tags = models.JSONField(default=list, blank=True)
    accessibility_preferences = models.JSONField(default=list, blank=True)
    allow_offline_downloads = models.BooleanField(default=True)
    has_completed_onboarding = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["school", "level"])]

    def __str__(self) -> str:
        return f"Student {self.user.email}"
