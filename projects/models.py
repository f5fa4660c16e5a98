"""The students' small HTML/CSS/JS workspace: a project and its files."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from core.ids import new_public_id


def new_project_id() -> str:
    return new_public_id("PRJ")


# A plain file name: letters, digits, dash, underscore, dots inside; no path parts.
project_file_name_validator = RegexValidator(
    r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}\.(html|css|js)$",
    "Use a simple file name ending in .html, .css or .js (no folders, no '..').",
)


class Project(models.Model):
    project_id = models.CharField(max_length=20, unique=True, default=new_project_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ProjectFile(models.Model):
    class FileType(models.TextChoices):
        HTML = "html", "HTML"
        CSS = "css", "CSS"
        JS = "js", "JavaScript"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=100, validators=[project_file_name_validator])
    file_type = models.CharField(max_length=4, choices=FileType.choices)
    content = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="projects_file_unique_name")]

    def __str__(self) -> str:
        return self.name
