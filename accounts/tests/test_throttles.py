"""Sign-in and token throttles: guessing is stopped, a school behind one NAT is not,
and the client address can't be chosen by the client."""

import pytest
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tests.test_auth_flows import assert_error_shape, login_tokens

pytestmark = pytest.mark.django_db

LOGIN = "/api/accounts/login/"


def limit(scope: str) -> int:
    return int(ScopedRateThrottle.THROTTLE_RATES[scope].split("/")[0])


def login(api_client, email: str, password: str = "wrong-password", **extra) -> int:
    return api_client.post(LOGIN, {"email": email, "password": password}, format="json", **extra).status_code


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, moved by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: now[0]))
    return now


# --- sign-in counts failures only ---------------------------------------------------------


def test_a_class_signing_in_behind_one_school_address_is_never_throttled(api_client):
    students = UserFactory.create_batch(limit("login") + 10)
    statuses = {login(api_client, student.email, DEFAULT_PASSWORD, REMOTE_ADDR="196.1.2.3") for student in students}
    assert statuses == {200}


def test_successful_sign_ins_do_not_count_toward_the_accounts_limit(api_client, student):
    statuses = [
        login(api_client, student.email, DEFAULT_PASSWORD, REMOTE_ADDR=f"10.0.0.{i}")
        for i in range(limit("login_email") + 5)
    ]
    assert set(statuses) == {200}


def test_wrong_passwords_for_many_emails_from_one_address_are_throttled(api_client):
    statuses = [login(api_client, f"ghost{i}@example.com") for i in range(limit("login"))]
    assert set(statuses) == {401}
    assert login(api_client, "one-more@example.com") == 429


def test_a_locked_email_opens_again_once_its_failures_age_out(api_client, student, clock):
    for i in range(limit("login_email")):
        assert login(api_client, student.email, REMOTE_ADDR=f"10.0.0.{i}") == 401
    # The documented price of the per-email limit: its owner waits too, from any address,
    clock[0] += 30
    assert login(api_client, student.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9") == 429
    # and only until the failures are older than the window (refused tries don't count).
    clock[0] += 31
    assert login(api_client, student.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9") == 200


def test_legacy_app_login_counts_failures_like_the_clean_login(api_client, student):
    url = "/api/accounts/login-student/"
    ok = [
        api_client.post(url, {"email": student.email, "password": DEFAULT_PASSWORD}, format="json").status_code
        for _ in range(limit("login_email") + 1)
    ]
    assert set(ok) == {200}
    for _ in range(limit("login_email")):
        api_client.post(url, {"email": student.email, "password": "wrong"}, format="json")
    refused = api_client.post(url, {"email": student.email, "password": DEFAULT_PASSWORD}, format="json")
    assert assert_error_shape(refused, 429)["code"] == "throttled"


# --- token refresh and verify ---------------------------------------------------------------


def test_token_refresh_and_verify_from_one_school_address_outlast_the_login_limit(api_client, student):
    tokens = login_tokens(api_client, student)
    refresh = tokens["refresh"]
    for _ in range(limit("login") + 5):
        response = api_client.post("/api/accounts/token/refresh/", {"refresh": refresh}, format="json")
        assert response.status_code == 200, response.content
        refresh = response.json()["refresh"]
        verified = api_client.post("/api/accounts/token/verify/", {"token": response.json()["access"]}, format="json")
        assert verified.status_code == 200, verified.content


def test_token_endpoints_are_throttled_at_their_own_rate(api_client, student, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "token", "3/min")
    access = login_tokens(api_client, student)["access"]
    statuses = [
        api_client.post("/api/accounts/token/verify/", {"token": access}, format="json").status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    throttled = api_client.post("/api/accounts/token/verify/", {"token": access}, format="json")
    assert assert_error_shape(throttled, 429)["code"] == "throttled"
    assert "Retry-After" in throttled.headers


def test_token_scope_is_generous_by_default():
    assert limit("token") >= 300 and ScopedRateThrottle.THROTTLE_RATES["token"].endswith("/min")


# --- the client address ---------------------------------------------------------------------


def test_by_default_a_rotated_x_forwarded_for_does_not_escape_the_address_limit(api_client, settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0  # DJANGO_NUM_PROXIES unset
    statuses = [
        login(api_client, f"ghost{i}@example.com", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}") for i in range(limit("login"))
    ]
    assert set(statuses) == {401}
    assert login(api_client, "ghost-new@example.com", HTTP_X_FORWARDED_FOR="198.51.100.99") == 429


def test_behind_one_proxy_each_forwarded_client_has_its_own_bucket(api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "172.18.0.5"}  # every request arrives from the proxy
    for i in range(limit("login")):
        assert login(api_client, f"ghost{i}@example.com", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy) == 401
    assert login(api_client, "ghost-a@example.com", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy) == 429
    # What the client wrote before the proxy's entry does not count.
    spoofed = "203.0.113.1, 198.51.100.7"
    assert login(api_client, "ghost-b@example.com", HTTP_X_FORWARDED_FOR=spoofed, **proxy) == 429
    assert login(api_client, "ghost-c@example.com", HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy) == 401
