"""Security properties that hold across every endpoint."""

import pytest

pytestmark = pytest.mark.django_db


def api_get_paths(client) -> list[str]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return sorted(path for path, item in schema["paths"].items() if "get" in item and "{" not in path)


def test_no_list_endpoint_shows_a_student_another_users_email(client, make_user, client_for):
    student = make_user("student", email="me.student@example.com")
    others = [
        make_user("student", email="classmate.secret@example.com"),
        make_user("teacher", email="teacher.secret@example.com"),
        make_user("admin", email="admin.secret@example.com"),
    ]
    api = client_for(student)
    paths = api_get_paths(client)
    assert "/api/accounts/me/" in paths
    for path in paths:
        response = api.get(path)
        assert response.status_code < 500, path
        body = response.content.decode(errors="replace")
        for other in others:
            assert other.email not in body, f"{path} shows {other.email} to a student"


def test_api_responses_carry_security_headers(student_client):
    response = student_client.get("/api/accounts/me/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


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
