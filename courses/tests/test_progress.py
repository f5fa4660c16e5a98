"""Progress read before any save: the answer and the OpenAPI schema agree."""

import json

import pytest

from courses.tests.factories import LessonStepFactory

pytestmark = pytest.mark.django_db


def test_progress_of_an_unopened_lesson_has_a_null_updated_at_that_the_schema_allows(client_for, make_user, client):
    lesson = LessonStepFactory().lesson

    body = client_for(make_user("student")).get(f"/api/lessons/{lesson.lesson_id}/progress/").json()

    assert body["updated_at"] is None and body["completed"] is False and body["last_position_seconds"] == 0
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    assert schema["components"]["schemas"]["Progress"]["properties"]["updated_at"].get("nullable") is True
