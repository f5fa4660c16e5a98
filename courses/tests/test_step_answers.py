"""A student never gets a step's answer, wherever the step is shown: the lesson player (clean
and student-app paths), the tutor's lesson endpoint and the offline bundle. Admins do get it
in the player and the tutor (their step serializers add the answer to the student's)."""

import pytest

from courses.serializers import STEP_ANSWER_FIELDS, AdminStepSerializer, StudentStepSerializer
from video_tutorials import bundles
from video_tutorials.models import Recording

from .factories import LessonStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def step():
    return LessonStepFactory(
        step_number=1,
        expected_code="<h1>Akwaaba</h1>",
        page_html="<main></main>",
        checks=[{"id": "heading", "kind": "html.element", "selector": "h1", "message": "Add an h1."}],
    )


def steps_shown(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    return (body.get("data") or body)["steps"]


STUDENT_PATHS = ["/api/lessons/{id}/", "/api/students/experience/lessons/{id}/", "/llm-tutor/api/lesson/{id}"]


@pytest.mark.parametrize("path", STUDENT_PATHS)
def test_a_student_never_gets_a_steps_answer(client_for, make_user, step, path):
    steps = steps_shown(client_for(make_user("student")), path.format(id=step.lesson.lesson_id))
    assert [s["step_number"] for s in steps] == [1]
    assert not set(STEP_ANSWER_FIELDS) & set(steps[0])


def test_a_students_offline_bundle_never_has_a_steps_answer(step):
    payload = bundles._lesson_payload(Recording(lesson=step.lesson))
    assert [s["step_number"] for s in payload["steps"]] == [1]
    assert not set(STEP_ANSWER_FIELDS) & set(payload["steps"][0])


@pytest.mark.parametrize("path", STUDENT_PATHS[:2])
def test_an_admin_previewing_the_player_gets_the_answer(client_for, make_user, step, path):
    (shown,) = steps_shown(client_for(make_user("admin")), path.format(id=step.lesson.lesson_id))
    assert shown["expected_code"] == "<h1>Akwaaba</h1>" and shown["checks"][0]["id"] == "heading"


def test_an_admin_gets_the_expected_code_from_the_tutor(client_for, make_user, step):
    (shown,) = steps_shown(client_for(make_user("admin")), f"/llm-tutor/api/lesson/{step.lesson.lesson_id}")
    assert shown["expected_code"] == "<h1>Akwaaba</h1>"


def test_the_admin_step_is_the_student_step_plus_the_answer():
    assert AdminStepSerializer.Meta.fields == [*StudentStepSerializer.Meta.fields, *STEP_ANSWER_FIELDS]
