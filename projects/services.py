"""The students' small HTML/CSS/JS workspace: projects and their files."""

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from .models import Project, ProjectFile

STARTER_FILES = {
    "index.html": '<!DOCTYPE html>\n<html>\n<head>\n  <title>My page</title>\n  <link rel="stylesheet" href="style.css">\n'
    '</head>\n<body>\n  <h1>Akwaaba!</h1>\n  <script src="script.js"></script>\n</body>\n</html>\n',
    "style.css": "body {\n  font-family: sans-serif;\n}\n",
    "script.js": "// Your JavaScript here\n",
}


def file_type_for(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()


@transaction.atomic
def project_create(*, owner, name: str, description: str = "") -> Project:
    project = Project.objects.create(owner=owner, name=name, description=description)
    ProjectFile.objects.bulk_create(
        ProjectFile(project=project, name=file_name, file_type=file_type_for(file_name), content=content)
        for file_name, content in STARTER_FILES.items()
    )
    return project


def project_file_create(*, project: Project, name: str, content: str = "") -> ProjectFile:
    try:
        with transaction.atomic():
            return ProjectFile.objects.create(
                project=project, name=name, file_type=file_type_for(name), content=content
            )
    except IntegrityError as exc:
        raise ValidationError({"name": ["This project already has a file with that name."]}) from exc


def project_file_update(*, project_file: ProjectFile, **fields) -> ProjectFile:
    if "name" in fields:
        fields["file_type"] = file_type_for(fields["name"])
    for field, value in fields.items():
        setattr(project_file, field, value)
    try:
        with transaction.atomic():
            project_file.save()
    except IntegrityError as exc:
        raise ValidationError({"name": ["This project already has a file with that name."]}) from exc
    return project_file
