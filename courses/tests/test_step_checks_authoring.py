"""Admins author a step's checks through the content API and Django admin; a malformed check is
refused with a 400 (or a form error) that names it, and nothing is saved."""

import pytest

from courses.models import LessonStep
from courses.tests.factories import LessonFactory, LessonStepFactory

pytestmark = pytest.mark.django_db

GOOD = [
    {"id": "well-formed", "kind": "html.well_formed", "message": "Close every tag."},
    {
        "id": "link",
        "kind": "html.attribute",
        "selector": "a",
        "attribute": "href",
        "url_schemes": ["https"],
        "message": "Link to https.",
    },
]


def steps_url(lesson, number=None) -> str:
    base = f"/api/admin/content/lessons/{lesson.lesson_id}/steps/"
    return f"{base}{number}/" if number else base


def test_admin_sets_checks_on_a_step(admin_client):
    step = LessonStepFactory()
    response = admin_client.patch(steps_url(step.lesson, step.step_number), {"checks": GOOD}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["checks"] == GOOD
    step.refresh_from_db()
    assert step.checks == GOOD


def test_a_malformed_check_is_a_400_naming_it_and_nothing_is_saved(admin_client):
    step = LessonStepFactory(checks=GOOD)
    bad = [GOOD[0], {"id": "colour", "kind": "css.declaration", "selector": "h1", "property": "color", "message": "x"}]
    response = admin_client.patch(steps_url(step.lesson, step.step_number), {"checks": bad}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"}
    assert "Check 2 ('colour')" in body["errors"]["checks"][0]
    step.refresh_from_db()
    assert step.checks == GOOD


def test_admin_creates_a_step_with_checks_once(admin_client):
    lesson = LessonFactory()
    body = {
        "step_number": 1,
        "title": "Add a link",
        "instructions": "Link to GES.",
        "language": "html",
        "expected_code": '<a href="https://ges.gov.gh">GES</a>',
        "checks": GOOD,
    }
    created = admin_client.post(steps_url(lesson), body, format="json")
    assert created.status_code == 201, created.content
    retried = admin_client.post(steps_url(lesson), body, format="json")
    assert retried.status_code == 400
    assert LessonStep.objects.filter(lesson=lesson).count() == 1


def test_students_cannot_author_steps(student_client):
    step = LessonStepFactory()
    response = student_client.patch(steps_url(step.lesson, step.step_number), {"checks": GOOD}, format="json")
    assert response.status_code == 403


def test_django_admin_refuses_a_malformed_check(admin_user):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    step = LessonStepFactory()
    model_admin = site._registry[LessonStep]
    request = RequestFactory().post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, step)
    data = {
        field: getattr(step, field)
        for field in (
            "step_number",
            "title",
            "instructions",
            "starter_code",
            "expected_code",
            "language",
            "estimated_minutes",
        )
    }
    form = form_class(
        data={
            **data,
            "lesson": step.lesson.pk,
            "curriculum_ids": "[]",
            "page_html": "",
            "checks": '[{"id": "x", "kind": "html.nope", "message": "m"}]',
        },
        instance=step,
    )
    assert not form.is_valid()
    assert "Check 1 ('x')" in form.errors["checks"][0]
