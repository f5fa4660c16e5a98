"""Every seed_demo step, through the HTTP API: a correct attempt written differently from the
reference is accepted (and marks the step done), a wrong one is told its actual mistake."""

import pytest
from django.core.management import call_command

from accounts.models import User
from courses.models import LessonProgress, LessonStep

pytestmark = pytest.mark.usefixtures("curriculum_index", "no_llm", "fresh_retrieval_cache")

UPDATE = "/llm-tutor/api/llm/update"
PAGE = "<!DOCTYPE html>\n<html>\n<head>\n  <title>{title}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"

# (lesson, step, a correct attempt unlike the reference, a wrong attempt, words its hint must have)
DEMO_ATTEMPTS = [
    (
        "Your first HTML page",
        1,
        "<!doctype html>\n<HTML>\n<HEAD><TITLE>My page</TITLE></HEAD>\n<BODY></BODY>\n</HTML>",
        "<DOCTYPE html>\n<html>\n<head>\n  <title>My page</title>\n</head>\n<body>\n</body>\n</html>",
        ["exclamation"],
    ),
    (
        "Your first HTML page",
        2,
        PAGE.format(title="Kumasi Wesley JHS", body=""),
        PAGE.format(title="My page", body=""),
        ["school"],
    ),
    (
        "Headings and paragraphs",
        1,
        PAGE.format(title="My page", body="<h1 class='big'>Akwaaba!</h1>"),
        PAGE.format(title="My page", body="  <hl>Akwaaba!</hl>"),
        ["<h1>"],
    ),
    (
        "Headings and paragraphs",
        2,
        PAGE.format(title="My page", body="<h1>Akwaaba!</h1>\n<p>Our school is famous for football.</p>"),
        PAGE.format(title="My page", body="<p>Our school is famous for football.</p>\n<h1>Akwaaba!</h1>"),
        ["after"],
    ),
    (
        "Links and images",
        1,
        "<body>\n  <a target=\"_blank\" href='https://ges.gov.gh'>Ghana Education Service</a>\n</body>",
        '<body>\n  <a href="ges.gov.gh">Ghana Education Service</a>\n</body>',
        ["https://"],
    ),
    (
        "Links and images",
        2,
        "<body>\n  <img alt='Kente cloth' src='kente.png' />\n</body>",
        '<body>\n  <img src="kente.png">\n</body>',
        ["alt"],
    ),
    ("Colours and fonts", 1, "h1 { color: #008000 }", "h1 {\n  colour: green;\n}", ["did you mean 'color'"]),
    ("Colours and fonts", 2, "body {\n  font-family: 'Arial';\n}", "body {\n  font-family Arial;\n}", ["colon"]),
    ("The box model", 1, ".card { padding: 16px 16px; }", ".card {\n  padding: 16;\n}", ["unit"]),
    (
        "A button that says hello",
        1,
        "const button = document.querySelector('button#hello')",
        'const button = document.querySelector("hello");',
        ["#"],
    ),
    (
        "A button that says hello",
        2,
        "const button = document.querySelector('#hello')\nbutton.onclick = function () { alert('Akwaaba!') }",
        'const button = document.querySelector("#hello");\nbutton.addEventListner("click", () => alert("Akwaaba!"));',
        ["addeventlistener"],
    ),
]


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--no-recording", verbosity=0)


def test_every_demo_step_has_authored_checks(demo):
    steps = LessonStep.objects.filter(lesson__module__course__title="Build your first web page")
    assert steps.count() == len(DEMO_ATTEMPTS)
    assert all(step.checks for step in steps)


@pytest.mark.parametrize(("lesson_title", "number", "correct", "wrong", "words"), DEMO_ATTEMPTS)
def test_demo_step_accepts_a_different_correct_attempt_and_names_a_mistake(
    demo, client_for, lesson_title, number, correct, wrong, words
):
    user = User.objects.get(email="student@mrict.local")
    client = client_for(user)
    step = LessonStep.objects.select_related("lesson").get(lesson__title=lesson_title, step_number=number)
    body = {"lesson_id": step.lesson.lesson_id, "step": number}

    accepted = client.post(UPDATE, {**body, "code": correct}, format="json")
    assert accepted.status_code == 200, accepted.content
    reply = accepted.json()
    assert reply["status"] == "correct", reply
    assert [c["id"] for c in reply["checks"]] == [c["id"] for c in step.checks]
    assert all(c["passed"] for c in reply["checks"])
    progress = LessonProgress.objects.get(user=user, lesson=step.lesson)
    assert number in progress.steps_completed

    refused = client.post(UPDATE, {**body, "code": wrong}, format="json")
    assert refused.status_code == 200, refused.content
    reply = refused.json()
    assert reply["status"] in ("close", "off_track")
    assert not all(c["passed"] for c in reply["checks"])
    hint = reply["diff"]["hints"][0].lower()
    assert any(word in hint for word in words), hint
    assert hint in reply["explanation"].lower()
    # The shown diff is the student's own lines, as typed.
    typed = set(wrong.split("\n"))
    assert all(line["code"] in typed for line in reply["diff"]["lines"] if line["code"])


def test_a_correct_attempt_marks_the_step_done_once(demo, client_for):
    user = User.objects.get(email="student@mrict.local")
    step = LessonStep.objects.select_related("lesson").get(lesson__title="Colours and fonts", step_number=1)
    client = client_for(user)
    for _ in range(3):  # a 2G student's retried request
        response = client.post(
            UPDATE, {"lesson_id": step.lesson.lesson_id, "step": 1, "code": "h1{color:rgb(0,128,0)}"}, format="json"
        )
        assert response.json()["status"] == "correct"
    progress = LessonProgress.objects.get(user=user, lesson=step.lesson)
    assert progress.steps_completed.count(1) == 1
