"""Moving the workspace into its own app keeps every project and file (and their content types)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("video_tutorials", "0004_recording_uploaded_notified_asset_duration")]
CONTENT_TYPES = ("contenttypes", "0002_remove_content_type_name")


def migrate(targets, *, unapply=()):
    """Migrates to ``targets`` (and unapplies the apps in ``unapply``); returns the models then."""
    executor = MigrationExecutor(connection)
    executor.migrate([*targets, *((app, None) for app in unapply)])
    return executor.loader.project_state([*targets, CONTENT_TYPES]).apps


@pytest.mark.django_db(transaction=True)
def test_projects_and_files_survive_the_move_to_their_own_app():
    old = migrate(BEFORE, unapply=["projects"])
    user = old.get_model("accounts", "User").objects.create(email="ama@school.edu.gh", role="student")
    project = old.get_model("video_tutorials", "Project").objects.create(
        owner_id=user.pk, name="Kente page", project_id="PRJ-MOVE"
    )
    old.get_model("video_tutorials", "ProjectFile").objects.create(
        project_id=project.pk, name="index.html", file_type="html", content="<h1>Akwaaba</h1>"
    )
    content_type = old.get_model("contenttypes", "ContentType")
    content_type.objects.get_or_create(app_label="video_tutorials", model="project")

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = new.get_model("projects", "Project").objects.get(project_id="PRJ-MOVE")
    assert (moved.name, moved.owner_id) == ("Kente page", user.pk)
    assert list(new.get_model("projects", "ProjectFile").objects.values_list("project_id", "name", "content")) == [
        (moved.pk, "index.html", "<h1>Akwaaba</h1>")
    ]
    labels = set(new.get_model("contenttypes", "ContentType").objects.filter(model="project").values_list("app_label"))
    assert labels == {("projects",)}
