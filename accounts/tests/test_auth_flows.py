"""Every account flow the apps use, and its failure paths."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import OneTimeCode, User
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "Adinkra-Symbol-77"


def assert_error_shape(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def register(api_client, url="/api/accounts/register-student/", **overrides):
    payload = {
        "email": "Esi.Asante@Example.com",
        "password": STRONG,
        "password2": STRONG,
        "first_name": "Esi",
        "last_name": "Asante",
        "phone": "+233201234567",
        "country": "Ghana",
        "fcm_token": "",
        **overrides,
    }
    return api_client.post(url, payload, format="json")


# --- registration ---------------------------------------------------------------------


def test_register_student_logs_in_and_sends_verification_code(api_client):
    response = register(api_client)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["access"] and data["refresh"]
    user = User.objects.get()
    assert user.email == "esi.asante@example.com"
    assert user.role == "student" and not user.is_staff and not user.email_verified
    assert hasattr(user, "student")
    assert len(mail.outbox) == 1 and re.search(r"\d{6}", mail.outbox[0].body)
    assert OneTimeCode.objects.get().code_hash != last_code()  # stored hashed


def test_register_refuses_duplicate_email_case_insensitively(api_client, make_user):
    make_user(email="esi.asante@example.com")
    body = assert_error_shape(register(api_client), 400)
    assert "email" in body["errors"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "123", "password2": "123"}, "password"),
        ({"password2": "Different-Pass-99"}, "password2"),
        ({"first_name": "x" * 500}, "first_name"),
        ({"role": "admin"}, "role"),  # unknown field: nobody registers as admin
        ({"school_id": "SCH-NOPE"}, "school_id"),
    ],
)
def test_register_rejects_bad_input_and_stores_nothing(api_client, overrides, field):
    body = assert_error_shape(register(api_client, **overrides), 400)
    assert field in body["errors"]
    assert User.objects.count() == 0


def test_malformed_json_is_a_400_in_the_common_shape(api_client):
    response = api_client.post("/api/accounts/login/", data="{not json", content_type="application/json")
    assert_error_shape(response, 400)


def test_wrong_types_are_400(api_client):
    response = api_client.post("/api/accounts/login/", {"email": ["a"], "password": 5}, format="json")
    body = assert_error_shape(response, 400)
    assert "email" in body["errors"]


# --- login ------------------------------------------------------------------------------


def test_clean_login_returns_tokens_and_user(api_client, student):
    response = api_client.post(
        "/api/accounts/login/", {"email": student.email.upper(), "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["user_id"] == student.user_id
    assert body["access"] and body["refresh"]


def test_student_app_login_uses_the_envelope(api_client, student):
    response = api_client.post(
        "/api/accounts/login-student/",
        {"email": student.email, "password": DEFAULT_PASSWORD, "fcm_token": "abc"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"message", "data"}
    assert body["data"]["access"] and body["data"]["refresh"]


def test_admin_app_login_reads_profile_fields(api_client, admin_user):
    response = api_client.post(
        "/api/accounts/login-admin/", {"email": admin_user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    data = response.json()["data"]
    for field in ("access", "token", "refresh", "first_name", "last_name", "user_id", "admin_id", "email", "photo"):
        assert field in data
    assert data["admin_id"] == admin_user.user_id


def test_student_cannot_use_the_admin_login(api_client, student):
    response = api_client.post(
        "/api/accounts/login-admin/", {"email": student.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert_error_shape(response, 401)


def test_wrong_password_and_unknown_email_look_the_same(api_client, student):
    wrong = api_client.post("/api/accounts/login/", {"email": student.email, "password": "nope"}, format="json")
    unknown = api_client.post("/api/accounts/login/", {"email": "ghost@example.com", "password": "x"}, format="json")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_twenty_wrong_passwords_are_throttled(api_client, student):
    statuses = [
        api_client.post(
            "/api/accounts/login/", {"email": student.email, "password": f"bad{i}"}, format="json"
        ).status_code
        for i in range(20)
    ]
    assert statuses[0] == 401
    assert 429 in statuses
    throttled = api_client.post("/api/accounts/login/", {"email": student.email, "password": "x"}, format="json")
    body = assert_error_shape(throttled, 429)
    assert body["code"] == "throttled"
    assert "Retry-After" in throttled.headers


def test_throttle_follows_the_account_across_addresses(api_client, student):
    for i in range(12):
        api_client.post(
            "/api/accounts/login/",
            {"email": student.email, "password": "bad"},
            format="json",
            REMOTE_ADDR=f"10.0.0.{i}",
        )
    response = api_client.post(
        "/api/accounts/login/", {"email": student.email, "password": "bad"}, format="json", REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 429


# --- tokens -----------------------------------------------------------------------------


def login_tokens(api_client, user):
    response = api_client.post(
        "/api/accounts/login/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    return response.json()


def test_refresh_answers_the_plain_shape_and_the_same_refresh_token(api_client, student):
    tokens = login_tokens(api_client, student)
    first = api_client.post("/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}  # the plain shape the apps read
    assert first.json()["refresh"] == tokens["refresh"]  # not rotated: the SPA never stores a new one
    again = api_client.post("/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 200 and again.json()["access"]


def test_verify_accepts_valid_and_refuses_garbage(api_client, student):
    tokens = login_tokens(api_client, student)
    assert api_client.post("/api/accounts/token/verify/", {"token": tokens["access"]}, format="json").status_code == 200
    assert_error_shape(api_client.post("/api/accounts/token/verify/", {"token": "abc.def.ghi"}, format="json"), 401)


def test_expired_access_token_is_refused(api_client, student, settings):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(student)
    token.set_exp(lifetime=-timedelta(seconds=1))
    response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = assert_error_shape(response, 401)
    assert body["code"] == "token_not_valid"


def test_logout_blacklists_refresh_and_revokes_access(api_client, student):
    tokens = login_tokens(api_client, student)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    response = api_client.post("/api/accounts/logout/", {"refresh": tokens["refresh"]}, format="json", **auth)
    assert response.status_code == 200
    assert (
        api_client.post("/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code
        == 401
    )
    assert api_client.get("/api/accounts/me/", **auth).status_code == 401


def test_logout_refuses_someone_elses_refresh_token(api_client, student, make_user):
    other = make_user()
    mine = login_tokens(api_client, student)
    theirs = login_tokens(api_client, other)
    response = api_client.post(
        "/api/accounts/logout/",
        {"refresh": theirs["refresh"]},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {mine['access']}",
    )
    assert_error_shape(response, 400)
    assert (
        api_client.post("/api/accounts/token/refresh/", {"refresh": theirs["refresh"]}, format="json").status_code
        == 200
    )


def test_api_refuses_session_auth_and_anonymous(client, student):
    client.force_login(student)  # a Django session cookie is not an API credential
    assert client.get("/api/accounts/me/").status_code == 401


# --- me ---------------------------------------------------------------------------------


def test_me_patch_updates_allowed_fields_only(student_client, student):
    response = student_client.patch(
        "/api/accounts/me/", {"first_name": "Yaa", "preferred_language": "tw"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["first_name"] == "Yaa"
    student.refresh_from_db()
    assert student.preferred_language == "tw"
    forbidden = student_client.patch("/api/accounts/me/", {"role": "admin"}, format="json")
    assert_error_shape(forbidden, 400)
    student.refresh_from_db()
    assert student.role == "student"


# --- passwords --------------------------------------------------------------------------


def test_change_password_revokes_older_tokens(api_client, student, client_for):
    client = client_for(student)
    response = client.post(
        "/api/accounts/password/change/", {"old_password": DEFAULT_PASSWORD, "new_password": STRONG}, format="json"
    )
    assert response.status_code == 200
    assert client.get("/api/accounts/me/").status_code == 401
    assert (
        api_client.post("/api/accounts/login/", {"email": student.email, "password": STRONG}, format="json").status_code
        == 200
    )


def test_change_password_with_wrong_old_password(student_client, student):
    response = student_client.post(
        "/api/accounts/password/change/", {"old_password": "wrong", "new_password": STRONG}, format="json"
    )
    assert "old_password" in assert_error_shape(response, 400)["errors"]
    student.refresh_from_db()
    assert student.check_password(DEFAULT_PASSWORD)


def test_password_reset_by_code(api_client, student):
    assert api_client.post("/api/accounts/password/reset/", {"email": student.email}, format="json").status_code == 200
    code = last_code()
    response = api_client.post(
        "/api/accounts/password/reset/confirm/",
        {"email": student.email, "code": code, "new_password": STRONG},
        format="json",
    )
    assert response.status_code == 200, response.content
    student.refresh_from_db()
    assert student.check_password(STRONG)
    again = api_client.post(
        "/api/accounts/password/reset/confirm/",
        {"email": student.email, "code": code, "new_password": "Another-Strong-88"},
        format="json",
    )
    assert_error_shape(again, 400)  # a code works once


def test_password_reset_for_unknown_email_says_the_same(api_client):
    response = api_client.post("/api/accounts/password/reset/", {"email": "ghost@example.com"}, format="json")
    assert response.status_code == 200
    assert mail.outbox == []


def test_weak_new_password_does_not_spend_the_code(api_client, student):
    api_client.post("/api/accounts/password/reset/", {"email": student.email}, format="json")
    code = last_code()
    weak = api_client.post(
        "/api/accounts/password/reset/confirm/",
        {"email": student.email, "code": code, "new_password": "1234"},
        format="json",
    )
    assert "new_password" in assert_error_shape(weak, 400)["errors"]
    ok = api_client.post(
        "/api/accounts/password/reset/confirm/",
        {"email": student.email, "code": code, "new_password": STRONG},
        format="json",
    )
    assert ok.status_code == 200


# --- email verification -----------------------------------------------------------------


@pytest.fixture
def unverified(make_user):
    return make_user(email_verified=False)


def test_email_verification_by_code(client_for, unverified):
    client = client_for(unverified)
    assert client.post("/api/accounts/email/verify/").status_code == 200
    response = client.post("/api/accounts/email/verify/confirm/", {"code": last_code()}, format="json")
    assert response.status_code == 200
    assert response.json()["email_verified"] is True


def test_wrong_code_counts_and_five_tries_lock_the_code(client_for, unverified):
    client = client_for(unverified)
    client.post("/api/accounts/email/verify/")
    good = last_code()
    bad = "000000" if good != "000000" else "111111"
    for _ in range(5):
        body = assert_error_shape(client.post("/api/accounts/email/verify/confirm/", {"code": bad}, format="json"), 400)
        assert body["code"] in ("wrong_code", "throttled")
    assert OneTimeCode.objects.get().attempts == 5
    cache_cleared_client = client  # throttle is per 10 min; the lock is in the database
    from django.core.cache import cache

    cache.clear()
    locked = cache_cleared_client.post("/api/accounts/email/verify/confirm/", {"code": good}, format="json")
    assert assert_error_shape(locked, 400)["code"] == "locked"
    unverified.refresh_from_db()
    assert not unverified.email_verified


def test_expired_code_is_refused(client_for, unverified):
    client = client_for(unverified)
    client.post("/api/accounts/email/verify/")
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = assert_error_shape(
        client.post("/api/accounts/email/verify/confirm/", {"code": last_code()}, format="json"), 400
    )
    assert body["code"] == "expired"
    unverified.refresh_from_db()
    assert not unverified.email_verified


def test_resend_is_throttled(client_for, unverified):
    client = client_for(unverified)
    assert client.post("/api/accounts/email/verify/").status_code == 200
    assert_error_shape(client.post("/api/accounts/email/verify/"), 400)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567", ""])
def test_code_must_be_six_digits(client_for, unverified, code):
    client = client_for(unverified)
    assert_error_shape(client.post("/api/accounts/email/verify/confirm/", {"code": code}, format="json"), 400)


def _limit(scope: str) -> int:
    from django.conf import settings

    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")[0])


@pytest.mark.parametrize(
    "url, body, scope",
    [
        ("/api/accounts/register/", {"email": "x"}, "register"),
        ("/api/accounts/register-student/", {"email": "x"}, "register"),
        ("/api/accounts/password/reset/", {"email": "ghost@example.com"}, "password_reset"),
        (
            "/api/accounts/password/reset/confirm/",
            {"email": "ghost@example.com", "code": "123456", "new_password": STRONG},
            "otp",
        ),
    ],
)
def test_anonymous_account_endpoints_are_throttled_per_scope(api_client, url, body, scope):
    statuses = [api_client.post(url, body, format="json").status_code for _ in range(_limit(scope))]

    assert 429 not in statuses
    throttled = api_client.post(url, body, format="json")
    assert assert_error_shape(throttled, 429)["code"] == "throttled"
    assert "Retry-After" in throttled.headers


def test_email_code_guessing_is_throttled(client_for, unverified):
    client = client_for(unverified)
    client.post("/api/accounts/email/verify/")  # counts in the same scope
    statuses = [
        client.post("/api/accounts/email/verify/confirm/", {"code": f"{i:06d}"}, format="json").status_code
        for i in range(_limit("otp"))
    ]

    assert statuses[-1] == 429 and 429 not in statuses[:-1]


def test_password_reset_code_expires_and_locks_after_five_wrong_tries(api_client, student):
    url = "/api/accounts/password/reset/confirm/"
    api_client.post("/api/accounts/password/reset/", {"email": student.email}, format="json")
    good = last_code()
    bad = "000000" if good != "000000" else "111111"

    for _ in range(5):
        wrong = api_client.post(url, {"email": student.email, "code": bad, "new_password": STRONG}, format="json")
        assert assert_error_shape(wrong, 400)["code"] == "wrong_code"
    locked = api_client.post(url, {"email": student.email, "code": good, "new_password": STRONG}, format="json")
    assert assert_error_shape(locked, 400)["code"] == "locked"

    OneTimeCode.objects.all().delete()
    from django.core.cache import cache

    cache.clear()  # the resend cooldown and the throttle, not the database's rules
    api_client.post("/api/accounts/password/reset/", {"email": student.email}, format="json")
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = api_client.post(url, {"email": student.email, "code": last_code(), "new_password": STRONG}, format="json")
    assert assert_error_shape(expired, 400)["code"] == "expired"
    student.refresh_from_db()
    assert student.check_password(DEFAULT_PASSWORD)  # never changed
