"""The tutor HTTP API without an LLM (offline answers), access rules, bad input, SSE."""

import json

import pytest

from courses.models import PublishStatus
from llm_tutor.conftest import EXPECTED_HTML
from llm_tutor.models import TutorExchange

pytestmark = pytest.mark.usefixtures("curriculum_index", "no_llm", "fresh_retrieval_cache")

UPDATE = "/llm-tutor/api/llm/update"
ASK = "/llm-tutor/api/llm/ask"


def sse_events(response) -> list[tuple[str, dict]]:
    body = b"".join(response).decode()  # async iterator: consumed via async_to_sync
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


@pytest.mark.parametrize("slash", ["", "/"])
def test_update_with_and_without_trailing_slash(student_client, lesson, slash):
    code = '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">'
    response = student_client.post(UPDATE + slash, {"lesson_id": lesson.lesson_id, "step": 1, "code": code})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == "offline" and body["status"] in ("close", "off_track")
    assert set(body) >= {
        "explanation",
        "branch_id",
        "interaction_duration",
        "assignment_feedback",
        "status",
        "diff",
        "references",
        "source",
        "language",
    }
    assert "colourful kente cloth" not in response.content.decode()


def test_ask_without_lesson(student_client):
    response = student_client.post(ASK + "/", {"question": "what does the alt attribute do?"})
    assert response.status_code == 200
    body = response.json()
    assert body["answer"] and body["references"][0]["id"] == "a11y-alt-text" and body["status"] is None


def test_ask_with_step_and_code(student_client, lesson):
    response = student_client.post(
        ASK, {"question": "why is my image wrong?", "lesson_id": lesson.lesson_id, "step": 1, "code": "<img src=x>"}
    )
    assert response.status_code == 200 and response.json()["status"] == "off_track"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"question": ""}, 400),
        ({"question": "   "}, 400),
        ({}, 400),
        ({"question": "hi", "step": 1}, 400),
        ({"question": "hi", "lesson_id": "LSN-NOPE"}, 404),
    ],
)
def test_ask_bad_input(student_client, payload, status):
    response = student_client.post(ASK, payload)
    assert response.status_code == status
    assert set(response.json()) == {"detail", "code", "errors"}


def test_update_bad_input(student_client, lesson):
    assert student_client.post(UPDATE, {"lesson_id": "LSN-NOPE", "step": 1, "code": ""}).status_code == 404
    assert student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 7, "code": ""}).status_code == 404
    assert student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 0, "code": ""}).status_code == 400
    assert student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "code": ""}).status_code == 400
    big = "x" * (100 * 1024 + 1)
    response = student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": big})
    assert response.status_code in (400, 413)


def test_draft_lesson_is_404_for_students(student_client, make_lesson):
    draft = make_lesson(status=PublishStatus.DRAFT)
    assert student_client.post(UPDATE, {"lesson_id": draft.lesson_id, "step": 1, "code": ""}).status_code == 404
    assert student_client.get(f"/llm-tutor/api/lesson/{draft.lesson_id}").status_code == 404


def test_anonymous_is_401(api_client, lesson):
    assert api_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": ""}).status_code == 401


def test_lesson_never_shows_expected_code_to_students(student_client, admin_client, lesson):
    for url in (f"/llm-tutor/api/lesson/{lesson.lesson_id}", f"/llm-tutor/api/lesson/{lesson.lesson_id}/"):
        body = student_client.get(url).json()
        assert [s["step_number"] for s in body["steps"]] == [1, 2]
        assert body["steps"][0]["description"].startswith("Add the kente image")
        assert body["estimated_duration"] == 20
        assert "expected_code" not in body["steps"][0]
        assert "kente.jpg" not in json.dumps(body)
    admin_body = admin_client.get(f"/llm-tutor/api/lesson/{lesson.lesson_id}").json()
    assert admin_body["steps"][0]["expected_code"] == EXPECTED_HTML


def test_branches_are_the_students_own(student_client, client_for, make_user, lesson):
    student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": "<p>mine</p>"})
    other = client_for(make_user("student"))
    other.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 2, "code": "h1{}"})
    mine = student_client.get(f"/llm-tutor/api/branches/{lesson.lesson_id}/").json()
    assert [(b["code"], b["step"]["step_number"]) for b in mine] == [("<p>mine</p>", 1)]
    assert set(mine[0]) == {"branch_id", "code", "step", "timestamp"}
    assert student_client.get("/llm-tutor/api/branches/LSN-NOPE/").status_code == 404


def test_history_own_teacher_and_admin(student, student_client, client_for, make_user, admin_client, lesson):
    from schools.models import School
    from students.models import Student
    from teachers.models import Teacher

    student_client.post(ASK, {"question": "what is html?"})
    own = student_client.get("/api/tutor/history/").json()
    assert own["count"] == 1 and own["results"][0]["kind"] == "ask" and own["results"][0]["student"] == student.user_id

    school = School.objects.create(name="Accra Academy")
    Student.objects.update_or_create(user=student, defaults={"school": school})
    teacher_user = make_user("teacher")
    teacher, _ = Teacher.objects.get_or_create(user=teacher_user)
    teacher_client = client_for(teacher_user)
    assert teacher_client.get(f"/api/tutor/history?student={student.user_id}").status_code == 403
    teacher.schools.add(school)
    assert teacher_client.get(f"/api/tutor/history/?student={student.user_id}").json()["count"] == 1
    assert admin_client.get(f"/api/tutor/history/?student={student.user_id}").json()["count"] == 1
    other = client_for(make_user("student"))
    assert other.get(f"/api/tutor/history/?student={student.user_id}").status_code == 403
    assert other.get("/api/tutor/history/?student=USR-NOPE").status_code == 404


def test_rate_limit_429_with_retry_after(student_client, settings, lesson):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tutor": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    codes = [student_client.post(ASK, {"question": "what is css?"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = student_client.post(ASK, {"question": "what is css?"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_rate_limit_is_per_student(student_client, client_for, make_user, settings, lesson):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tutor": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert student_client.post(ASK, {"question": "what is css?"}).status_code == 200
    assert student_client.post(ASK, {"question": "what is css?"}).status_code == 429
    classmate = client_for(make_user("student"))
    assert classmate.post(ASK, {"question": "what is css?"}).status_code == 200


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_sse_stream_offline(student_client, lesson):
    response = student_client.post(
        UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": "<p>x</p>"}, HTTP_ACCEPT="text/event-stream"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    events = sse_events(response)
    assert events[-1][0] == "final" and events[-1][1]["source"] == "offline"
    assert events[-1][1]["explanation"]


def test_sse_errors_are_json_with_the_usual_shape(student_client):
    response = student_client.post(ASK, {"question": ""}, HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail", "code", "errors"}
    response = student_client.post(
        UPDATE, {"lesson_id": "LSN-NOPE", "step": 1, "code": ""}, HTTP_ACCEPT="text/event-stream"
    )
    assert response.status_code == 404 and response.json()["code"]


def test_every_exchange_is_stored(student_client, lesson):
    student_client.post(UPDATE, {"lesson_id": lesson.lesson_id, "step": 1, "code": "<p>x</p>"})
    student_client.post(ASK, {"question": "what is a tag?", "lesson_id": lesson.lesson_id})
    kinds = sorted(TutorExchange.objects.values_list("kind", flat=True))
    assert kinds == ["ask", "update"]


def test_a_students_turns_read_the_step_from_the_content_cache_and_see_every_change(student, student_client, lesson):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from llm_tutor.selectors import tutor_step_get

    def asked() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = student_client.post(ASK, {"question": "why?", "lesson_id": lesson.lesson_id, "step": 1})
        return response.status_code, len(queries)

    status, first = asked()
    assert status == 200
    status, second = asked()
    assert status == 200 and second == first - 2  # the lesson and the step come from the cache

    step = lesson.steps.get(step_number=1)
    step.title = "Add the kente image"
    step.save()
    _, cached_step = tutor_step_get(user=student, lesson_id=lesson.lesson_id, step_number=1)
    assert cached_step.title == "Add the kente image"

    course = lesson.module.course
    course.status = PublishStatus.ARCHIVED
    course.save()
    assert student_client.post(ASK, {"question": "why?", "lesson_id": lesson.lesson_id, "step": 1}).status_code == 404


@pytest.mark.parametrize("key", ["LSN-NOPE", "x" * 64, "hidden"])
def test_a_lesson_the_student_cannot_open_is_the_tutors_own_404(student_client, lesson, key):
    if key == "hidden":
        lesson.status = PublishStatus.DRAFT
        lesson.save()
        key = lesson.lesson_id
    for response in (
        student_client.get(f"/llm-tutor/api/lesson/{key}/"),
        student_client.post(UPDATE, {"lesson_id": key[:40], "step": 1, "code": ""}),
    ):
        assert response.status_code == 404
        assert (response.json()["code"], response.json()["detail"]) == ("lesson_not_found", "No such lesson.")
