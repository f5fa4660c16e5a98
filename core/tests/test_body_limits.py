"""Django's own request-body limits answer like every other size limit: a 413 in the
common error shape, with no traceback in the log and nothing stored."""

import json
import logging

import pytest

from video_tutorials.models import Recording

pytestmark = pytest.mark.django_db


def assert_413_without_traceback(response, caplog):
    assert response.status_code == 413, response.content[:300]
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["code"] == "too_large"
    assert "larger than the limit" in body["detail"] or "more than" in body["detail"]
    noisy = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert noisy == [], [record.getMessage() for record in noisy]


def test_a_30_mb_snapshot_batch_is_a_413(admin_client, caplog):
    body = json.dumps({"title": "t", "snapshots": [{"code": "x" * 1024 * 1024, "timestamp": i} for i in range(30)]})
    with caplog.at_level(logging.INFO):
        response = admin_client.post("/api/save-code-snapshots/", body, content_type="application/json")
    assert_413_without_traceback(response, caplog)
    assert not Recording.objects.exists()


def test_an_oversized_body_is_a_413_on_student_endpoints_too(student_client, settings, caplog):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"interest_tags": ["x" * 2000]})
    with caplog.at_level(logging.INFO):
        response = student_client.patch("/api/students/experience/me/", body, content_type="application/json")
    assert_413_without_traceback(response, caplog)
    assert str(1024) in response.json()["detail"]


def test_too_many_form_fields_is_a_413(admin_client, settings, caplog):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{i}": "x" for i in range(20)}
    with caplog.at_level(logging.INFO):
        response = admin_client.post("/api/admin/content/lesson-media/", fields, format="multipart")
    assert_413_without_traceback(response, caplog)


def test_outside_drf_the_handler_answers_413_too(rf):
    from django.core.exceptions import RequestDataTooBig

    from core.errors import handler400

    response = handler400(rf.get("/"), RequestDataTooBig("too big"))
    assert response.status_code == 413 and json.loads(response.content)["code"] == "too_large"
    assert handler400(rf.get("/"), None).status_code == 400
