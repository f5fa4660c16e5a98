"""The projects workspace: own files only, safe names, size limits."""

import pytest

from projects.models import ProjectFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(student_client):
    return student_client.post("/api/projects/create/", {"name": "My Kente page"}, format="json").json()


def test_create_project_with_starter_files_and_list(student_client, project):
    assert {f["name"] for f in project["files"]} == {"index.html", "style.css", "script.js"}
    listing = student_client.get("/api/projects/").json()
    assert [p["project_id"] for p in listing] == [project["project_id"]]


def test_files_by_project_and_patch_content(student_client, project):
    files = student_client.get(f"/api/project_files/by_project/?project={project['id']}").json()
    html = next(f for f in files if f["file_type"] == "html")
    response = student_client.patch(f"/api/project_files/{html['id']}/", {"content": "<h1>Hi</h1>"}, format="json")
    assert response.status_code == 200 and response.json()["content"] == "<h1>Hi</h1>"


@pytest.mark.parametrize("name", ["../evil.html", "a/b.css", "notes.txt", ".html", "x" * 120 + ".js"])
def test_bad_file_names_are_refused(student_client, project, name):
    response = student_client.post(
        "/api/project_files/", {"project": project["project_id"], "name": name, "content": ""}, format="json"
    )
    assert response.status_code == 400
    assert ProjectFile.objects.count() == 3


def test_files_over_200_kb_are_refused(student_client, project):
    files = student_client.get(f"/api/project_files/by_project/?project={project['project_id']}").json()
    response = student_client.patch(f"/api/project_files/{files[0]['id']}/", {"content": "x" * 210_000}, format="json")
    assert response.status_code == 400
    assert len(ProjectFile.objects.get(pk=files[0]["id"]).content) < 1000


def test_another_student_cannot_read_or_edit(project, make_user, client_for):
    intruder = client_for(make_user())
    file_id = project["files"][0]["id"]
    assert intruder.get(f"/api/project_files/by_project/?project={project['project_id']}").status_code == 404
    assert intruder.patch(f"/api/project_files/{file_id}/", {"content": "hacked"}, format="json").status_code == 404
    assert intruder.get("/api/projects/").json() == []


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/projects/create/", {"name": "Page", "colour": "red"}),
        ("/api/project_files/", {"project": "{project}", "name": "a.css", "content": "", "owner": 1}),
        ("/api/project_files/", {"project": "{project}", "name": "a.css", "file_type": "js"}),
    ],
)
def test_unknown_fields_and_a_wrong_file_type_are_a_400_that_stores_nothing(student_client, project, url, body):
    files, projects = ProjectFile.objects.count(), len(student_client.get("/api/projects/").json())
    body = {
        key: value.format(project=project["project_id"]) if isinstance(value, str) else value
        for key, value in body.items()
    }

    response = student_client.post(url, body, format="json")

    assert response.status_code == 400 and set(response.json()) == {"detail", "code", "errors"}
    assert ProjectFile.objects.count() == files and len(student_client.get("/api/projects/").json()) == projects


def test_a_file_type_that_matches_the_name_is_accepted(student_client, project):
    body = {"project": project["project_id"], "name": "extra.css", "file_type": "css", "content": "p {}"}

    response = student_client.post("/api/project_files/", body, format="json")

    assert response.status_code == 201 and response.json()["file_type"] == "css"


def test_patching_a_file_with_an_unknown_field_is_a_400_and_changes_nothing(student_client, project):
    html = next(f for f in project["files"] if f["file_type"] == "html")

    response = student_client.patch(
        f"/api/project_files/{html['id']}/", {"content": "x", "locked": True}, format="json"
    )

    assert response.status_code == 400 and response.json()["errors"] == {"locked": ["Unknown field."]}
    assert ProjectFile.objects.get(pk=html["id"]).content == html["content"]
