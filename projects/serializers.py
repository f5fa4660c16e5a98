from django.conf import settings
from rest_framework import serializers

from core.query import QuerySerializer
from core.serializers import RejectUnknownFieldsMixin

from .models import Project, ProjectFile, project_file_name_validator
from .services import file_type_for

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


class ProjectFileCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    project = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100, validators=[project_file_name_validator])
    content = serializers.CharField(allow_blank=True, required=False, default="", validators=[validate_content_size])
    file_type = serializers.ChoiceField(
        choices=ProjectFile.FileType.choices, required=False, help_text="Optional: it always follows the name."
    )

    def validate(self, attrs):
        file_type = attrs.pop("file_type", None)
        if file_type and "name" in attrs and file_type != file_type_for(attrs["name"]):
            raise serializers.ValidationError({"file_type": [f"A file named {attrs['name']} is not {file_type}."]})
        return attrs


class ProjectFileUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    content = serializers.CharField(allow_blank=True, required=False, validators=[validate_content_size])
    name = serializers.CharField(max_length=100, required=False, validators=[project_file_name_validator])


class ProjectSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    files = ProjectFileSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "project_id", "name", "description", "files", "created_at", "updated_at"]
        read_only_fields = ["id", "project_id", "files", "created_at", "updated_at"]
        extra_kwargs = {"name": {"max_length": 120}, "description": {"max_length": 2000}}


class ProjectFilesQuerySerializer(QuerySerializer):
    project = serializers.CharField(max_length=20)
