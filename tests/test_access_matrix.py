"""Who may do what: one parametrized matrix over every endpoint of the domain.

Actors: anonymous, the owning student, a second student, a teacher of the owner's
school, a teacher of another school, and an admin. Adding an endpoint adds a row.
"""

from dataclasses import dataclass

import pytest

from courses.models import PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory, SchoolFactory
from notifications.services import notification_send
from students.models import Student
from teachers.models import Teacher
from video_tutorials.models import Recording
from video_tutorials.projects_services import project_create

ACTORS = ["anonymous", "student", "student2", "teacher_same", "teacher_other", "admin"]


@dataclass
class World:
    users: dict
    ids: dict


@pytest.fixture
def world(make_user):
    school, other_school = SchoolFactory(), SchoolFactory()
    users = {
        name: make_user(role)
        for name, role in [
            ("student", "student"),
            ("student2", "student"),
            ("teacher_same", "teacher"),
            ("teacher_other", "teacher"),
            ("admin", "admin"),
        ]
    }
    Student.objects.create(user=users["student"], school=school, level="B8")
    Student.objects.create(user=users["student2"], school=school, level="B8")
    Teacher.objects.create(user=users["teacher_same"]).schools.add(school)
    Teacher.objects.create(user=users["teacher_other"]).schools.add(other_school)
    published = LessonStepFactory(step_number=1).lesson
    draft_course = CourseFactory(status=PublishStatus.DRAFT)
    draft_lesson = LessonFactory(
        module=ModuleFactory(course=draft_course, status=PublishStatus.DRAFT), status=PublishStatus.DRAFT
    )
    LessonStepFactory(lesson=draft_lesson, step_number=1)
    published_recording = Recording.objects.create(
        title="Links", lesson=published, status=Recording.Status.READY, is_published=True
    )
    draft_recording = Recording.objects.create(title="Draft take", lesson=published, status=Recording.Status.READY)
    project = project_create(owner=users["student"], name="Mine")
    notification = notification_send(recipient=users["student"], kind="x", title="Yours")
    ids = {
        "course": published.module.course.course_id,
        "lesson": published.lesson_id,
        "draft_course": draft_course.course_id,
        "draft_lesson": draft_lesson.lesson_id,
        "draft_module": draft_lesson.module.module_id,
        "project": project.project_id,
        "file": project.files.first().pk,
        "notification": notification.notification_id,
        "school": school.school_id,
        "student_user": users["student"].user_id,
        "teacher_user": users["teacher_same"].user_id,
        "recording": published_recording.recording_id,
        "draft_recording": draft_recording.recording_id,
    }
    return World(users=users, ids=ids)


def row(method, url, expected, body=None, fmt="json"):
    """``expected``: one status for all signed-in actors, or a dict per actor (anonymous defaults to 401).
    ``fmt="multipart"`` for upload endpoints; their bodies here carry no file, so an admin's
    answer is the 400 that names the missing file (past the permission check)."""
    if isinstance(expected, int):
        expected = {actor: expected for actor in ACTORS[1:]}
    return pytest.param(method, url, {"anonymous": 401, **expected}, body, fmt, id=f"{method} {url}")


OWNER_ONLY = {"student": 200, "student2": 404, "teacher_same": 404, "teacher_other": 404, "admin": 404}
ADMIN_ONLY = {"student": 403, "student2": 403, "teacher_same": 403, "teacher_other": 403, "admin": 200}
ADMIN_SEES_DRAFTS = {"student": 404, "student2": 404, "teacher_same": 404, "teacher_other": 404, "admin": 200}
ADMIN_CREATES = {**ADMIN_ONLY, "admin": 201}
ADMIN_DELETES = {**ADMIN_ONLY, "admin": 204}
OWNER_DELETES = {**OWNER_ONLY, "student": 204}
OWNER_CREATES = {**OWNER_ONLY, "student": 201}
ADMIN_UPLOAD_NEEDS_A_FILE = {**ADMIN_ONLY, "admin": 400}
ADMIN_ENROLS_IN_DRAFTS = {**ADMIN_SEES_DRAFTS, "admin": 201}
# past the permission check, then refused: a ready recording has nothing to retry
ADMIN_REFUSED_BY_STATE = {**ADMIN_ONLY, "admin": 400}
TEACHERS_AND_ADMINS = {"student": 403, "student2": 403, "teacher_same": 200, "teacher_other": 200, "admin": 200}

MATRIX = [
    row("get", "/api/accounts/me/", 200),
    row("get", "/api/students/experience/me/", 200),
    row("get", "/api/students/experience/catalog/", 200),
    row("get", "/api/students/experience/catalog/{course}/", 200),
    row("get", "/api/students/experience/catalog/{draft_course}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/students/experience/lessons/{lesson}/", 200),
    row("get", "/api/students/experience/lessons/{draft_lesson}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/students/experience/dashboard/", 200),
    row("get", "/api/courses/", 200),
    row("get", "/api/courses/{draft_course}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/lessons/{draft_lesson}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/lessons/{lesson}/progress/", 200),
    row("get", "/api/schools/get-all-schools/", {"anonymous": 200, **{a: 200 for a in ACTORS[1:]}}),
    row("get", "/api/schools/", ADMIN_ONLY),
    row("get", "/api/schools/{school}/", ADMIN_ONLY),
    row("get", "/api/teachers/dashboard/", TEACHERS_AND_ADMINS),
    row("get", "/api/notifications/", 200),
    row("post", "/api/notifications/{notification}/read/", OWNER_ONLY),
    row("get", "/api/projects/", 200),
    row("get", "/api/project_files/by_project/?project={project}", OWNER_ONLY),
    row("patch", "/api/project_files/{file}/", OWNER_ONLY, {"content": "<p>hi</p>"}),
    row("get", "/api/projects/{project}/", OWNER_ONLY),
    row("get", "/api/admin/content/courses/", ADMIN_ONLY),
    row("get", "/api/admin/content/courses/{course}/", ADMIN_ONLY),
    row("get", "/api/admin/content/courses/{course}/audit-log/", ADMIN_ONLY),
    row("post", "/api/admin/content/courses/{draft_course}/archive/", ADMIN_ONLY, {}),
    row("get", "/api/analytics/admin/summary/", ADMIN_ONLY),
    # learning, writes
    row("patch", "/api/students/experience/me/", 200, {"preferred_language": "en"}),
    row("post", "/api/students/experience/catalog/{course}/enroll/", 201, {}),
    row("post", "/api/students/experience/catalog/{draft_course}/enroll/", ADMIN_ENROLS_IN_DRAFTS, {}),
    row("patch", "/api/students/experience/lessons/{lesson}/progress/", 200, {"last_position_seconds": 5}),
    row(
        "patch",
        "/api/students/experience/lessons/{draft_lesson}/progress/",
        ADMIN_SEES_DRAFTS,
        {"last_position_seconds": 5},
    ),
    row("get", "/api/courses/{course}/", 200),
    row("get", "/api/lessons/{lesson}/", 200),
    row("post", "/api/courses/{course}/enrollment/", 201, {}),
    row("delete", "/api/courses/{course}/enrollment/", 204),
    row("post", "/api/courses/{draft_course}/enrollment/", ADMIN_ENROLS_IN_DRAFTS, {}),
    row("patch", "/api/lessons/{lesson}/progress/", 200, {"last_position_seconds": 5}),
    row("patch", "/api/lessons/{draft_lesson}/progress/", ADMIN_SEES_DRAFTS, {"last_position_seconds": 5}),
    # schools, notifications, projects, writes
    row("post", "/api/schools/", ADMIN_CREATES, {"name": "Tamale SHS", "region": "Northern", "code": "GES-TML-1"}),
    row("patch", "/api/schools/{school}/", ADMIN_ONLY, {"district": "Tema"}),
    row("delete", "/api/schools/{school}/", ADMIN_DELETES),
    row("get", "/api/notifications/unread-count/", 200),
    row("post", "/api/notifications/mark-all-read/", 200, {}),
    row("post", "/api/projects/create/", 201, {"name": "My page"}),
    row("delete", "/api/projects/{project}/", OWNER_DELETES),
    row(
        "post",
        "/api/project_files/",
        OWNER_CREATES,
        {"project": "{project}", "name": "extra.css", "file_type": "css", "content": ""},
    ),
    row("get", "/api/project_files/{file}/", OWNER_ONLY),
    row("delete", "/api/project_files/{file}/", OWNER_DELETES),
    # content authoring, writes
    row("post", "/api/admin/content/courses/", ADMIN_CREATES, {"title": "Data basics", "level": "B8"}),
    row("patch", "/api/admin/content/courses/{course}/", ADMIN_ONLY, {"summary": "Updated"}),
    row("post", "/api/admin/content/courses/{draft_course}/submit-for-review/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/courses/{course}/revert/", ADMIN_ONLY, {"notes": "Fix typos"}),
    row("post", "/api/admin/content/modules/", ADMIN_CREATES, {"course": "{draft_course}", "title": "Forms"}),
    row("get", "/api/admin/content/modules/{draft_module}/", ADMIN_ONLY),
    row("patch", "/api/admin/content/modules/{draft_module}/", ADMIN_ONLY, {"title": "Forms and inputs"}),
    row("post", "/api/admin/content/modules/{draft_module}/submit-for-review/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/lessons/", ADMIN_CREATES, {"module": "{draft_module}", "title": "Buttons"}),
    row("get", "/api/admin/content/lessons/{draft_lesson}/", ADMIN_ONLY),
    row("patch", "/api/admin/content/lessons/{draft_lesson}/", ADMIN_ONLY, {"title": "Buttons and links"}),
    row("post", "/api/admin/content/lessons/{lesson}/revert/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/lesson-media/", ADMIN_UPLOAD_NEEDS_A_FILE, {"lesson": "{lesson}"}, "multipart"),
    # people
    row("get", "/api/admin/teachers/", ADMIN_ONLY),
    row(
        "post", "/api/admin/teachers/", ADMIN_CREATES, {"email": "new@example.com", "first_name": "A", "last_name": "B"}
    ),
    row("get", "/api/admin/teachers/{teacher_user}/", ADMIN_ONLY),
    row("patch", "/api/admin/teachers/{teacher_user}/", ADMIN_ONLY, {"subject": "ICT"}),
    row("get", "/api/admin/students/", ADMIN_ONLY),
    row(
        "post", "/api/admin/students/", ADMIN_CREATES, {"email": "new@example.com", "first_name": "A", "last_name": "B"}
    ),
    row("get", "/api/admin/students/{student_user}/", ADMIN_ONLY),
    row("patch", "/api/admin/students/{student_user}/", ADMIN_ONLY, {"level": "B9"}),
    # recordings
    row("get", "/api/recordings/", 200),
    row("get", "/api/recordings/{recording}/", 200),
    row("get", "/api/recordings/{draft_recording}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/recordings/{draft_recording}/bundle/", ADMIN_SEES_DRAFTS),
    row("post", "/api/recordings/{draft_recording}/publish/", ADMIN_ONLY, {}),
    row("post", "/api/recordings/{recording}/unpublish/", ADMIN_ONLY, {}),
    row("post", "/api/upload/", ADMIN_UPLOAD_NEEDS_A_FILE, {"title": "New take"}, "multipart"),
    row("post", "/api/recordings/", ADMIN_UPLOAD_NEEDS_A_FILE, {"title": "New take"}, "multipart"),
    row("get", "/api/recordings/{recording}/timeline/", 200),
    row("get", "/api/recordings/{draft_recording}/timeline/", ADMIN_SEES_DRAFTS),
    row("get", "/api/recordings/{recording}/bundle/", 200),
    row("get", "/api/recordings/{recording}/captions/", 200),
    row(
        "post",
        "/api/recordings/{draft_recording}/captions/",
        ADMIN_UPLOAD_NEEDS_A_FILE,
        {"language": "en"},
        "multipart",
    ),
    row("post", "/api/recordings/{draft_recording}/retry/", ADMIN_REFUSED_BY_STATE, {}),
    row(
        "post",
        "/api/recordings/{draft_recording}/snapshots/",
        ADMIN_ONLY,
        {"snapshots": [{"code": "<p>", "timestamp": 2}]},
    ),
    row(
        "post",
        "/api/save-code-snapshots/",
        ADMIN_ONLY,
        {"recording_id": "{draft_recording}", "snapshots": [{"code": "<p>hi</p>", "timestamp": 1.5}]},
    ),
    # tutor
    row("get", "/llm-tutor/api/lesson/{lesson}", 200),
    row("get", "/llm-tutor/api/lesson/{draft_lesson}", ADMIN_SEES_DRAFTS),
    row("get", "/llm-tutor/api/branches/{lesson}/", 200),
    row("get", "/api/tutor/history/", 200),
    row("post", "/llm-tutor/api/llm/update", 200, {"lesson_id": "{lesson}", "step": 1, "code": "<p>Hi</p>"}),
    row(
        "post",
        "/llm-tutor/api/llm/update",
        ADMIN_SEES_DRAFTS,
        {"lesson_id": "{draft_lesson}", "step": 1, "code": "<p>"},
    ),
    row("post", "/llm-tutor/api/llm/ask", 200, {"question": "What does the <a> tag do?"}),
    row("get", "/api/tutor/status/", ADMIN_ONLY),
]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method, url, expected, body, fmt", MATRIX)
def test_access_matrix(world, client_for, api_client, actor, method, url, expected, body, fmt):
    client = api_client if actor == "anonymous" else client_for(world.users[actor])
    url = url.format(**world.ids)
    if body is None:
        response = getattr(client, method)(url)
    else:
        body = {key: value.format(**world.ids) if isinstance(value, str) else value for key, value in body.items()}
        response = getattr(client, method)(url, body, format=fmt)
    assert response.status_code == expected[actor], response.content[:300]


@pytest.mark.django_db
def test_teachers_see_only_their_own_schools_students(world, client_for):
    same = client_for(world.users["teacher_same"]).get("/api/teachers/dashboard/").json()["data"]["students"]
    other = client_for(world.users["teacher_other"]).get("/api/teachers/dashboard/").json()["data"]["students"]
    assert world.ids["student_user"] in {s["user_id"] for s in same}
    assert world.ids["student_user"] not in {s["user_id"] for s in other}
