"""A sign-in lasts a school day with the student SPA's own token handling (it keeps the
refresh token of its sign-in and never stores another), and still ends on logout, a
password change or reset, and deactivation; with rotation on, re-sending an older
refresh token of a live sign-in is never punished."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "Adinkra-Symbol-77"
REFRESH = "/api/accounts/token/refresh/"


def spa_sign_in(api_client, student) -> dict:
    """As the student SPA does: login-student, keep data.access and data.refresh."""
    body = {"email": student.email, "password": DEFAULT_PASSWORD, "fcm_token": ""}
    response = api_client.post("/api/accounts/login-student/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def spa_refresh(api_client, refresh: str):
    """As the SPA's 401 handler does: POST {refresh}, read only ``access``."""
    return api_client.post(REFRESH, {"refresh": refresh}, format="json")


def me_status(api_client, access: str) -> int:
    return api_client.get("/api/students/experience/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def test_the_sign_in_refresh_token_lasts_a_school_day_and_ends_at_logout(api_client, student):
    start = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # 07:30 in Accra
    with time_machine.travel(start, tick=False) as clock:
        tokens = spa_sign_in(api_client, student)
        access = tokens["access"]
        for _ in range(40):  # every 12 minutes until 15:30: 40 refreshes over 8 hours
            clock.shift(timedelta(minutes=12))
            response = spa_refresh(api_client, tokens["refresh"])
            assert response.status_code == 200, response.content
            access = response.json()["access"]
            assert me_status(api_client, access) == 200
        # The access token of sign-in has long expired (15 minutes); the new one works.
        assert me_status(api_client, tokens["access"]) == 401
        assert datetime.now(UTC) - start == timedelta(hours=8)

        logout = api_client.post(
            "/api/accounts/logout/",
            {"refresh": tokens["refresh"]},
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {access}",
        )
        assert logout.status_code == 200, logout.content
        refused = spa_refresh(api_client, tokens["refresh"])
        assert refused.status_code == 401 and refused.json()["code"] == "token_not_valid"
        assert me_status(api_client, access) == 401


def test_the_refresh_token_still_expires(api_client, student, settings):
    with time_machine.travel(datetime(2026, 12, 1, 7, 30, tzinfo=UTC), tick=False) as clock:
        tokens = spa_sign_in(api_client, student)
        clock.shift(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] - timedelta(minutes=1))
        assert spa_refresh(api_client, tokens["refresh"]).status_code == 200
        clock.shift(timedelta(minutes=2))
        assert spa_refresh(api_client, tokens["refresh"]).status_code == 401


def test_a_password_change_ends_the_sign_in(api_client, student):
    tokens = spa_sign_in(api_client, student)
    response = api_client.post(
        "/api/accounts/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": STRONG},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )
    assert response.status_code == 200, response.content
    refused = spa_refresh(api_client, tokens["refresh"])
    assert refused.status_code == 401 and "password was changed" in refused.json()["detail"]


def test_a_password_reset_ends_the_sign_in(api_client, student):
    tokens = spa_sign_in(api_client, student)
    assert api_client.post("/api/accounts/password/reset/", {"email": student.email}, format="json").status_code == 200
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    confirm = {"email": student.email, "code": code, "new_password": STRONG}
    assert api_client.post("/api/accounts/password/reset/confirm/", confirm, format="json").status_code == 200
    assert spa_refresh(api_client, tokens["refresh"]).status_code == 401


def test_deactivation_ends_the_sign_in_and_a_deleted_account_is_a_401(api_client, student):
    from accounts.services import member_account_update

    tokens = spa_sign_in(api_client, student)
    member_account_update(user=student, is_active=False)  # what the admin's deactivate does
    refused = spa_refresh(api_client, tokens["refresh"])
    assert refused.status_code == 401 and refused.json()["code"] == "no_active_account"
    student.delete()
    assert spa_refresh(api_client, tokens["refresh"]).status_code == 401


@pytest.fixture
def rotation(settings):
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "ROTATE_REFRESH_TOKENS": True}


@pytest.mark.usefixtures("rotation")
def test_with_rotation_a_client_that_resends_the_original_is_not_punished(api_client, student):
    tokens = spa_sign_in(api_client, student)
    first = spa_refresh(api_client, tokens["refresh"])
    assert first.status_code == 200
    rotated = first.json()["refresh"]
    assert rotated != tokens["refresh"]
    # Same sign-in, same expiry: rotation never extends a sign-in.
    assert RefreshToken(rotated)["sid"] == RefreshToken(tokens["refresh"])["sid"]
    assert RefreshToken(rotated)["exp"] == RefreshToken(tokens["refresh"])["exp"]
    # The SPA re-sends the original (twice), a better client the rotated one: all served.
    for refresh in (tokens["refresh"], tokens["refresh"], rotated):
        response = spa_refresh(api_client, refresh)
        assert response.status_code == 200, response.content
        assert me_status(api_client, response.json()["access"]) == 200


@pytest.mark.usefixtures("rotation")
def test_with_rotation_logout_with_any_token_ends_the_whole_sign_in(api_client, student):
    tokens = spa_sign_in(api_client, student)
    rotated = spa_refresh(api_client, tokens["refresh"]).json()["refresh"]
    newer = spa_refresh(api_client, rotated).json()["refresh"]
    other_sign_in = spa_sign_in(api_client, student)
    logout = api_client.post(
        "/api/accounts/logout/",
        {"refresh": rotated},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )
    assert logout.status_code == 200, logout.content
    for refresh in (tokens["refresh"], rotated, newer):
        assert spa_refresh(api_client, refresh).status_code == 401
    assert spa_refresh(api_client, other_sign_in["refresh"]).status_code == 200  # another device stays in
