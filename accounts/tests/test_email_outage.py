"""When the mail server fails: sign-up still works, code requests say 503, retries work."""

import smtplib
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from accounts.models import OneTimeCode, User
from accounts.tests.test_auth_flows import assert_error_shape, last_code, register
from students.models import Student

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
UNAVAILABLE = "We could not send the email right now; try again in a few minutes."


class DisconnectingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture(params=["smtp-disconnects", "smtp-server-down"])
def mail_server_down(request, settings):
    if request.param == "smtp-disconnects":
        settings.EMAIL_BACKEND = f"{__name__}.DisconnectingBackend"
    else:  # the real SMTP backend, refused: ConnectionRefusedError (an OSError)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", closed_port(), False
    return settings


@pytest.fixture
def unverified(make_user):
    return make_user(email_verified=False)


def test_sign_up_signs_the_student_in_and_says_the_code_was_not_sent(api_client, client_for, mail_server_down):
    response = register(api_client, url="/api/accounts/register/")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["access"] and body["refresh"] and body["verification_email_sent"] is False
    user = User.objects.get()
    assert Student.objects.filter(user=user).exists()
    assert not OneTimeCode.objects.exists()  # nothing holds back the next request

    mail_server_down.EMAIL_BACKEND = LOCMEM  # the mail server is back
    assert client_for(user).post("/api/accounts/email/verify/").status_code == 200
    assert len(mail.outbox) == 1


def test_app_sign_up_answers_in_its_envelope_when_the_code_was_not_sent(api_client, mail_server_down):
    response = register(api_client)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["data"]["access"] and body["data"]["refresh"]
    assert "could not send your verification code" in body["message"]
    assert User.objects.count() == 1


def test_sign_up_with_mail_working_says_the_code_was_sent(api_client):
    response = register(api_client, url="/api/accounts/register/")
    assert response.status_code == 201
    assert response.json()["verification_email_sent"] is True
    assert len(mail.outbox) == 1


def test_asking_for_an_email_code_is_a_503_and_a_retry_works(client_for, unverified, settings, mail_server_down):
    client = client_for(unverified)

    body = assert_error_shape(client.post("/api/accounts/email/verify/"), 503)

    assert (body["detail"], body["code"]) == (UNAVAILABLE, "email_unavailable")
    assert not OneTimeCode.objects.exists()
    settings.EMAIL_BACKEND = LOCMEM
    assert client.post("/api/accounts/email/verify/").status_code == 200  # no resend cooldown
    assert client.post("/api/accounts/email/verify/confirm/", {"code": last_code()}, format="json").status_code == 200


def test_a_failed_resend_keeps_the_code_already_sent(client_for, unverified, settings):
    client = client_for(unverified)
    client.post("/api/accounts/email/verify/")
    first_code = last_code()
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # past the cooldown
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectingBackend"

    assert_error_shape(client.post("/api/accounts/email/verify/"), 503)

    response = client.post("/api/accounts/email/verify/confirm/", {"code": first_code}, format="json")
    assert response.status_code == 200 and response.json()["email_verified"] is True


def test_password_reset_request_is_a_503_and_a_retry_works(api_client, student, settings, mail_server_down):
    url = "/api/accounts/password/reset/"

    body = assert_error_shape(api_client.post(url, {"email": student.email}, format="json"), 503)

    assert (body["detail"], body["code"]) == (UNAVAILABLE, "email_unavailable")
    assert not OneTimeCode.objects.exists()
    settings.EMAIL_BACKEND = LOCMEM
    assert api_client.post(url, {"email": student.email}, format="json").status_code == 200
    assert len(mail.outbox) == 1
