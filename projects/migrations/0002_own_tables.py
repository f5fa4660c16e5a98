"""The moved tables take the projects app's names; content types (and so permissions
and admin history) follow the models instead of being created anew."""

from django.db import migrations

MOVED = ("project", "projectfile")


def _content_types_follow(apps, *, source: str, target: str):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_projects(apps, schema_editor):
    _content_types_follow(apps, source="video_tutorials", target="projects")


def content_types_back(apps, schema_editor):
    _content_types_follow(apps, source="projects", target="video_tutorials")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("video_tutorials", "0005_projects_moved_to_their_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(content_types_to_projects, content_types_back),
        migrations.AlterModelTable(name="project", table=None),
        migrations.AlterModelTable(name="projectfile", table=None),
    ]
