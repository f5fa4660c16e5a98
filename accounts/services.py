"""Account workflows: accounts, login, tokens, logout, passwords and email codes.

Student sign-up (an account and its student profile) is ``students.services.student_register``."""

import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework import status
from rest_framework.exceptions import APIException, AuthenticationFailed, ValidationError
from rest_framework_simplejwt import settings as simplejwt_settings
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from .models import OneTimeCode, User

logger = logging.getLogger(__name__)

REVOKED_ACCESS_PREFIX = "revoked-access:"
# Every refresh token of one sign-in carries the sign-in token's jti: logging out (or
# blacklisting that one token) ends the whole sign-in, rotated tokens included.
SESSION_CLAIM = "sid"


class EmailUnavailable(APIException):
    # Not core.errors.ServiceUnavailable: core.errors imports DRF's views, which import
    # this module (through the authentication class), so that import would be circular.
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "We could not send the email right now; try again in a few minutes."
    default_code = "email_unavailable"


def _email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def user_create(*, email: str, password: str | None, role: str = User.Role.STUDENT, **fields) -> User:
    """``password=None`` makes an account that cannot sign in until its owner chooses a
    password through "Forgot password" (a code sent to their email)."""
    email = email.strip().lower()
    duplicate = ValidationError({"email": ["An account with this email already exists."]})
    if _email_taken(email):
        raise duplicate
    candidate = User(email=email, role=role, **fields)
    if password is None:
        candidate.set_unusable_password()
    else:
        try:
            password_validation.validate_password(password, user=candidate)
        except DjangoValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        candidate.set_password(password)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            candidate.save()
    except IntegrityError:
        # A concurrent sign-up with this email committed between the check and the save.
        if not _email_taken(email):
            raise
        raise duplicate from None
    return candidate


def member_account_create(*, email: str, role: str, password: str | None = None, **fields) -> User:
    """An account an admin opens for a teacher or a student, with a welcome email.

    Without a password, no secret passes through the admin or the mailbox: the email
    tells the owner to choose one with "Forgot password". The email goes after commit,
    so a rolled-back creation never greets anybody.
    """
    user = user_create(email=email, password=password, role=role, **fields)
    transaction.on_commit(lambda: _welcome_email_send(user=user, has_password=password is not None))
    return user


def _welcome_email_send(*, user: User, has_password: bool) -> None:
    how = (
        "Sign in with the password your school gave you, then change it under your profile."
        if has_password
        else 'To choose your password, open Mr ICT, press "Forgot password" and enter this email address.'
    )
    try:
        _email_send(
            user=user,
            subject="Your Mr ICT account",
            body=f"Hello {user.first_name or user.email},\n\nAn account was opened for you on Mr ICT as a {user.role}. {how}",
        )
    except EmailUnavailable:
        pass  # the account exists either way, and "Forgot password" still reaches its owner


def _email_send(*, user: User, subject: str, body: str) -> None:
    """Send one email to ``user``, or raise EmailUnavailable (logged) when the mail server fails."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, unreachable, timed out
        logger.warning("Email %r to %s could not be sent", subject, user.user_id, exc_info=True)
        raise EmailUnavailable() from exc


def member_account_update(*, user: User, **fields) -> User:
    """Names, phone and ``is_active``; a deactivated account's tokens stop working at once
    (SimpleJWT refuses inactive users on every request and refresh)."""
    for field, value in fields.items():
        setattr(user, field, value)
    if fields:
        user.save(update_fields=list(fields))
    return user


def user_authenticate(*, email: str, password: str, roles: tuple[str, ...] | None = None) -> User:
    """The same message for unknown email and wrong password, so emails can't be probed."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        make_password(password)  # equalize timing with a real check
        raise AuthenticationFailed("Email or password is incorrect.", code="invalid_credentials")
    if not user.check_password(password) or not user.is_active:
        raise AuthenticationFailed("Email or password is incorrect.", code="invalid_credentials")
    if roles is not None and user.role not in roles:
        raise AuthenticationFailed("This account cannot sign in here.", code="wrong_role")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return user


def tokens_for(*, user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    refresh[SESSION_CLAIM] = refresh["jti"]
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _session_id(refresh: RefreshToken) -> str:
    return refresh.get(SESSION_CLAIM) or refresh["jti"]  # tokens from before sessions: their own jti


def token_refresh(*, raw: str) -> dict[str, str]:
    """A new access token for a refresh token (``POST token/refresh/``).

    The student SPA keeps the refresh token of its sign-in and never stores another, so
    that token keeps working until it expires (JWT_REFRESH_DAYS) or its sign-in is
    ended: logout, a password change or reset, deactivation. With
    JWT_ROTATE_REFRESH_TOKENS a new refresh token comes back too (same sign-in, same
    expiry), but an older one of the same sign-in is never treated as stolen: a client
    that re-sends it is served, not signed out. The answer is always ``{access,
    refresh}``; without rotation ``refresh`` is the token that was sent.
    TokenError (401 from the view) for a token that is bad, expired or revoked."""
    refresh = RefreshToken(raw)  # signature, expiry, and this token's own blacklist entry
    jwt_settings = simplejwt_settings.api_settings  # read now: tests and overrides replace it
    user = User.objects.filter(**{jwt_settings.USER_ID_FIELD: refresh.get(jwt_settings.USER_ID_CLAIM)}).first()
    if user is None or not jwt_settings.USER_AUTHENTICATION_RULE(user):
        raise AuthenticationFailed("No active account found for the given token.", code="no_active_account")
    if jwt_settings.CHECK_REVOKE_TOKEN and refresh.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
        user.password
    ):
        raise TokenError("The password was changed since this sign-in. Sign in again.")
    session = _session_id(refresh)
    if session != refresh["jti"] and BlacklistedToken.objects.filter(token__jti=session).exists():
        raise TokenError("This sign-in has ended. Sign in again.")
    data = {"access": str(refresh.access_token), "refresh": raw}
    if jwt_settings.ROTATE_REFRESH_TOKENS:
        # Same sign-in and same expiry: rotating never extends a sign-in.
        refresh.set_jti()
        refresh.set_iat()
        refresh[SESSION_CLAIM] = session
        refresh.outstand()
        data["refresh"] = str(refresh)
    return data


def access_token_revoke(*, access: AccessToken) -> None:
    """Deny an access token until it expires (logout): checked by HTTP and websocket auth."""
    ttl = max(int(access["exp"] - timezone.now().timestamp()), 1)
    try:
        cache.set(f"{REVOKED_ACCESS_PREFIX}{access['jti']}", 1, timeout=ttl)
    except RedisError:
        pass  # the refresh token is still blacklisted in the database; access expires soon


def revoked_access_key(*, jti: str) -> str:
    return f"{REVOKED_ACCESS_PREFIX}{jti}"


def access_token_is_revoked(*, jti: str) -> bool:
    try:
        return bool(cache.get(revoked_access_key(jti=jti)))
    except RedisError:
        return False  # reads keep working when Redis is down; tokens are short-lived


def user_logout(*, refresh: str, access: AccessToken | None, user: User) -> None:
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise ValidationError({"refresh": ["This refresh token is invalid or already used."]}) from exc
    if str(token.get(settings.SIMPLE_JWT["USER_ID_CLAIM"])) != str(user.user_id):
        raise ValidationError({"refresh": ["This refresh token belongs to another account."]})
    token.blacklist()
    session = _session_id(token)
    if session != token["jti"]:  # a rotated token: end its sign-in (every token of it) too
        sign_in = OutstandingToken.objects.filter(jti=session).first()
        if sign_in is not None:
            BlacklistedToken.objects.get_or_create(token=sign_in)
    if access is not None:
        access_token_revoke(access=access)


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["Your current password is not correct."]})
    _password_set(user=user, password=new_password)


def _password_validate(*, user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc


def _password_set(*, user: User, password: str) -> None:
    _password_validate(user=user, password=password)
    user.set_password(password)  # CHECK_REVOKE_TOKEN: every older token stops working
    user.save(update_fields=["password"])


# --- one-time codes -----------------------------------------------------------------


def otp_send(*, user: User, purpose: str) -> None:
    """Email a new code, then store it (replacing older ones). EmailUnavailable when the
    mail server fails: nothing is stored, so older codes still work and a retry is not
    held back by the resend cooldown."""
    latest = OneTimeCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    now = timezone.now()
    if latest and (now - latest.created_at).total_seconds() < settings.OTP_RESEND_SECONDS:
        wait = int(settings.OTP_RESEND_SECONDS - (now - latest.created_at).total_seconds()) + 1
        raise ValidationError({"email": [f"A code was sent recently. Try again in {wait} seconds."]})
    code = f"{secrets.randbelow(1_000_000):06d}"
    subject = "Your Mr ICT code" if purpose == OneTimeCode.Purpose.VERIFY_EMAIL else "Reset your Mr ICT password"
    _email_send(
        user=user,
        subject=subject,
        body=f"Your code is {code}. It expires in {settings.OTP_TTL_SECONDS // 60} minutes.",
    )
    with transaction.atomic():
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
        OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            code_hash=make_password(code),
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
        )


def otp_check(*, user: User, purpose: str, code: str) -> None:
    """Consume a valid code or raise; each wrong try counts, five and the code is dead.

    The wrong-try count is committed before the error is raised, so a rollback of
    the request can never give an attacker their tries back.
    """
    error = None
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            error = ("No active code. Ask for a new one.", "no_code")
        elif otp.expires_at <= timezone.now():
            error = ("This code has expired. Ask for a new one.", "expired")
        elif otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            error = ("Too many wrong tries. Ask for a new code.", "locked")
        elif not check_password(code, otp.code_hash):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            left = settings.OTP_MAX_ATTEMPTS - otp.attempts
            error = (f"This code is not correct. {left} tries left.", "wrong_code")
        else:
            otp.used_at = timezone.now()
            otp.save(update_fields=["used_at"])
    if error:
        raise ValidationError({"code": [error[0]]}, code=error[1])


def _user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def email_verification_request(*, user: User) -> None:
    if user.email_verified:
        raise ValidationError({"email": ["This email is already verified."]})
    otp_send(user=user, purpose=OneTimeCode.Purpose.VERIFY_EMAIL)


def email_verify(*, user: User, code: str) -> User:
    if user.email_verified:
        return user
    otp_check(user=user, purpose=OneTimeCode.Purpose.VERIFY_EMAIL, code=code)
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    return user


def password_reset_request(*, email: str) -> None:
    """Silent for unknown emails, so the endpoint can't be used to find accounts.

    EmailUnavailable (503) when the mail server fails: while it is down, that answer
    tells a known email from an unknown one; a silent 200 would leave the owner
    waiting for a code that never comes.
    """
    user = _user_by_email(email)
    if user is None or not user.is_active:
        return
    try:
        otp_send(user=user, purpose=OneTimeCode.Purpose.RESET_PASSWORD)
    except ValidationError:
        return  # a code was just sent; the answer stays the same


def password_reset_confirm(*, email: str, code: str, new_password: str) -> None:
    user = _user_by_email(email)
    if user is None:
        raise ValidationError({"code": ["This code is not correct."]}, code="wrong_code")
    _password_validate(user=user, password=new_password)  # before the code is spent
    otp_check(user=user, purpose=OneTimeCode.Purpose.RESET_PASSWORD, code=code)
    user.set_password(new_password)  # CHECK_REVOKE_TOKEN: every older token stops working
    user.email_verified = True  # they proved they read the mailbox
    user.save(update_fields=["password", "email_verified"])
