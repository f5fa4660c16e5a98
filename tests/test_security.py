"""Security properties that hold across every endpoint: what a student may see, and
the headers on every kind of response."""

import re
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import Client, override_settings

from accounts.services import tokens_for
from courses.models import Enrollment
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory, SchoolFactory
from notifications.services import notification_send
from projects.services import project_create
from schools.models import SchoolClass
from students.models import Student
from teachers.models import Teacher
from video_tutorials.models import Recording

pytestmark = pytest.mark.django_db

# A step's answer, distinctive enough that any leak of it is unmistakable.
SECRET_EXPECTED_CODE = '<h1>Akwaaba</h1>\n<p class="answer-zq7731">Kente is woven by hand.</p>'


@dataclass
class Classroom:
    student: object
    others: list  # everyone whose email the student must never see
    ids: dict


@pytest.fixture
def classroom(make_user, settings):
    settings.OLLAMA_MODEL = ""  # the offline tutor: deterministic, no network
    school = SchoolFactory()
    school_class = SchoolClass.objects.create(school=school, name="JHS 2 Gold", level="B8")
    student = make_user("student", email="me.student@example.com")
    classmate = make_user("student", email="classmate.secret@example.com")
    teacher = make_user("teacher", email="teacher.secret@example.com")
    admin = make_user("admin", email="admin.secret@example.com")
    for user in (student, classmate):
        Student.objects.create(user=user, school=school, school_class=school_class, level="B8")
    profile = Teacher.objects.create(user=teacher)
    profile.schools.add(school)
    profile.classes.add(school_class)

    course = CourseFactory(created_by=admin)
    lesson = LessonFactory(module=ModuleFactory(course=course))
    LessonStepFactory(
        lesson=lesson, step_number=1, starter_code="<h1>Akwaaba</h1>\n", expected_code=SECRET_EXPECTED_CODE
    )
    recording = Recording.objects.create(
        title="Kente page, take 1", lesson=lesson, status=Recording.Status.READY, is_published=True, uploaded_by=admin
    )
    for user in (student, classmate):
        Enrollment.objects.create(user=user, course=course)
        notification_send(recipient=user, kind="lesson_published", title=f"New lesson for {user.email}")
    mine = project_create(owner=student, name="Mine")
    project_create(owner=classmate, name="Theirs")
    ids = {
        "course_id": course.course_id,
        "lesson_id": lesson.lesson_id,
        "recording_id": recording.recording_id,
        "project_id": mine.project_id,
        "file_id": mine.files.first().pk,
        "school_id": school.school_id,
        "user_id": classmate.user_id,
        "key": course.course_id,
        "step_number": 1,
    }
    return Classroom(student=student, others=[classmate, teacher, admin], ids=ids)


async def read_stream(response) -> bytes:
    return b"".join([chunk async for chunk in response.streaming_content])


def body_of(response) -> str:
    if not response.streaming:
        raw = response.content
    elif response.is_async:
        raw = async_to_sync(read_stream)(response)
    else:
        raw = b"".join(response.streaming_content)
    return raw.decode(errors="replace")


def tutor_update(client, *, lesson_id: str, code: str):
    return client.post("/llm-tutor/api/llm/update/", {"lesson_id": lesson_id, "step": 1, "code": code}, format="json")


def schema_get_paths(client) -> list[str]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return sorted(path for path, item in schema["paths"].items() if "get" in item)


def everything_a_student_sees(client, client_for, classroom) -> dict[str, tuple[int, str]]:
    """(status, body) of every GET route with real ids, and of a student's own writes."""
    ids = classroom.ids
    api = client_for(classroom.student)
    classmate_api = client_for(classroom.others[0])
    # Tutor history and code branches exist for both, so a leak would have rows to show.
    for who in (api, classmate_api):
        assert tutor_update(who, lesson_id=ids["lesson_id"], code="<h1>Akwaaba</h1>").status_code == 200
    course, lesson = ids["course_id"], ids["lesson_id"]
    responses = {
        "POST enrol": api.post(f"/api/courses/{course}/enrollment/"),
        "POST experience enrol": api.post(f"/api/students/experience/catalog/{course}/enroll/"),
        "PATCH progress": api.patch(f"/api/lessons/{lesson}/progress/", {"completed": True}, format="json"),
        "PATCH experience progress": api.patch(
            f"/api/students/experience/lessons/{lesson}/progress/", {"last_position_seconds": 30}, format="json"
        ),
        "POST tutor update": tutor_update(api, lesson_id=lesson, code="<h1>Akwaaba</h1>\n<p>Kente</p>"),
        "POST tutor ask": api.post(
            "/llm-tutor/api/llm/ask/",
            {"question": "What goes in the paragraph?", "lesson_id": lesson, "step": 1, "code": "<h1>Akwaaba</h1>"},
            format="json",
        ),
    }
    for label, response in responses.items():
        assert response.status_code < 300, (label, response.content)
    for path in schema_get_paths(client):
        url = re.sub(r"{(\w+)}", lambda match: str(ids[match.group(1)]), path)  # KeyError: add an id for it
        if path == "/api/project_files/by_project/":
            url += f"?project={ids['project_id']}"
        responses[f"GET {url}"] = api.get(url)
    return {label: (response.status_code, body_of(response)) for label, response in responses.items()}


REACHED_WITH_REAL_IDS = [
    "GET /api/courses/{course_id}/",
    "GET /api/lessons/{lesson_id}/",
    "GET /api/students/experience/catalog/{course_id}/",
    "GET /api/students/experience/lessons/{lesson_id}/",
    "GET /api/recordings/{recording_id}/",
    "GET /api/recordings/{recording_id}/timeline/",
    "GET /api/notifications/",
    "GET /api/projects/{project_id}/",
    "GET /api/project_files/{file_id}/",
    "GET /api/tutor/history/",
    "GET /llm-tutor/api/branches/{lesson_id}/",
    "GET /llm-tutor/api/lesson/{lesson_id}/",
]


def test_no_student_response_shows_another_users_email(client, client_for, classroom):
    responses = everything_a_student_sees(client, client_for, classroom)
    for label in REACHED_WITH_REAL_IDS:  # the sweep got past "not found" into the data
        url = re.sub(r"{(\w+)}", lambda match: str(classroom.ids[match.group(1)]), label)
        assert responses[url][0] == 200, (url, responses[url][1][:300])
    for label, (status, body) in responses.items():
        assert status < 500, label
        for other in classroom.others:
            assert other.email not in body, f"{label} shows {other.email} to a student"
    me = responses["GET /api/accounts/me/"][1]
    assert classroom.student.email in me  # the sweep does see emails: the student's own


def test_no_student_response_contains_a_steps_expected_code(client, client_for, classroom):
    responses = everything_a_student_sees(client, client_for, classroom)
    distinctive = "answer-zq7731"
    for label, (_, body) in responses.items():
        assert distinctive not in body, f"{label} gives a student the step's expected code"


# --- headers on every kind of response

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def every_kind_of_response(client: Client, *, student, lesson_id: str, secure: bool) -> dict[str, object]:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens_for(user=student)['access']}"}
    media = settings.MEDIA_ROOT / "recordings" / "clip.mp4"
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    sse = client.post(
        "/llm-tutor/api/llm/update/",
        {"lesson_id": lesson_id, "step": 1, "code": "<h1>Akwaaba</h1>"},
        content_type="application/json",
        HTTP_ACCEPT="text/event-stream",
        secure=secure,
        **auth,
    )
    assert sse["Content-Type"].startswith("text/event-stream")
    assert b"event: final" in async_to_sync(read_stream)(sse)
    responses = {
        "JSON 200": client.get("/api/accounts/me/", secure=secure, **auth),
        "403 error": client.get("/api/schools/", secure=secure, **auth),
        "401 error": client.get("/api/accounts/me/", secure=secure),
        "404 unknown /api/ path": client.get("/api/no-such-endpoint/", secure=secure, **auth),
        "SSE tutor reply": sse,
        "media file": client.get("/media/recordings/clip.mp4", secure=secure),
        "admin login page": client.get("/admin/login/", secure=secure),
        "API docs": client.get("/api/docs/", secure=secure),
    }
    expected_status = {
        "JSON 200": 200,
        "403 error": 403,
        "401 error": 401,
        "404 unknown /api/ path": 404,
        "SSE tutor reply": 200,
        "media file": 200,
        "admin login page": 200,
        "API docs": 200,
    }
    assert {label: r.status_code for label, r in responses.items()} == expected_status
    return responses


@pytest.fixture
def student_with_lesson(make_user):
    student = make_user("student")
    step = LessonStepFactory(step_number=1, expected_code=SECRET_EXPECTED_CODE)
    Enrollment.objects.create(user=student, course=step.lesson.module.course)
    return student, step.lesson.lesson_id


def test_every_kind_of_response_carries_the_security_headers(student_with_lesson, settings):
    settings.OLLAMA_MODEL = ""
    student, lesson_id = student_with_lesson
    responses = every_kind_of_response(Client(), student=student, lesson_id=lesson_id, secure=False)
    for label, response in responses.items():
        for header, value in SECURITY_HEADERS.items():
            assert response.get(header) == value, f"{label}: {header} is {response.get(header)!r}"
        assert "Strict-Transport-Security" not in response, label  # HSTS only on HTTPS, and only in production
        # drf-spectacular's Swagger page relaxes COOP on purpose (its OAuth popup); the rest keep Django's.
        expected_coop = "unsafe-none" if label == "API docs" else "same-origin"
        assert response.get("Cross-Origin-Opener-Policy") == expected_coop, label


def test_production_settings_send_hsts_on_every_https_response(student_with_lesson, settings):
    settings.OLLAMA_MODEL = ""
    student, lesson_id = student_with_lesson
    production = {"SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True}
    with override_settings(**production):
        responses = every_kind_of_response(Client(), student=student, lesson_id=lesson_id, secure=True)
    for label, response in responses.items():
        assert response.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload", label
        for header, value in SECURITY_HEADERS.items():
            assert response.get(header) == value, f"{label}: {header}"


def test_cors_allows_only_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.mrict.example.com"]
    allowed = client.options(
        "/api/accounts/login/",
        HTTP_ORIGIN="https://app.mrict.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert allowed["Access-Control-Allow-Origin"] == "https://app.mrict.example.com"
    refused = client.options(
        "/api/accounts/login/", HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in refused
