"""A teacher's profile: the school(s) and classes they teach."""

from django.conf import settings
from django.db import models

from schools.models import School, SchoolClass


class Teacher(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teacher")
    schools = models.ManyToManyField(School, related_name="teachers", blank=True)
    classes = models.ManyToManyField(SchoolClass, related_name="teachers", blank=True)
    subject = models.CharField(max_length=80, blank=True, default="Computing")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Teacher {self.user.email}"
