from django.conf import settings
from rest_framework import serializers

from core.query import QuerySerializer

from .models import Project, ProjectFile, project_file_name_validator

MAX_FILE_BYTES = getattr(settings, "PROJECT_FILE_MAX_BYTES", 200 * 1024)


def validate_content_size(content: str) -> str:
    if len(content.encode("utf-8")) > MAX_FILE_BYTES:
        raise serializers.ValidationError(f"A file may hold at most {MAX_FILE_BYTES // 1024} KB.")
    return content


class ProjectFileSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.project_id", read_only=True)
    content = serializers.CharField(allow_blank=True, required=False, validators=[validate_content_size])
    name = serializers.CharField(max_length=100, validators=[project_file_name_validator])

    class Meta:
        model = ProjectFile
        fields = ["id", "project", "name", "file_type", "content", "created_at", "updated_at"]
        read_only_fields = ["id", "project", "file_type", "created_at", "updated_at"]


class ProjectFileCreateSerializer(serializers.Serializer):
    project = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100, validators=[project_file_name_validator])
    content = serializers.CharField(allow_blank=True, required=False, default="", validators=[validate_content_size])


class ProjectFileUpdateSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, required=False, validators=[validate_content_size])
    name = serializers.CharField(max_length=100, required=False, validators=[project_file_name_validator])


class ProjectSerializer(serializers.ModelSerializer):
    files = ProjectFileSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "project_id", "name", "description", "files", "created_at", "updated_at"]
        read_only_fields = ["id", "project_id", "files", "created_at", "updated_at"]
        extra_kwargs = {"name": {"max_length": 120}, "description": {"max_length": 2000}}


class ProjectFilesQuerySerializer(QuerySerializer):
    project = serializers.CharField(max_length=20)
