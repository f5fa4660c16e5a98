"""SimpleJWT authentication that also refuses access tokens revoked at logout, and finds
the token's user through the shared cache (accounts/user_cache.py) instead of a query.

Over HTTP the revoked mark, the cached user and the cache entries the view names
(core.cache.keys_to_read_with_auth) are read in one cache round trip."""

from functools import lru_cache

from django.contrib.auth import get_user_model
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from core.cache import keys_to_read_with_auth, remember_read_with_auth

from .services import access_token_is_revoked, revoked_access_key
from .user_cache import prefetched_entries, read_with, user_for_token


class _CachedUsers:
    """Stands in for ``User.objects`` in SimpleJWT's get_user, so its own checks (user
    exists, is active, password unchanged since the token) run on the row as before."""

    def get(self, **lookup):
        ((field, value),) = lookup.items()
        model = get_user_model()
        return user_for_token(user_id=str(value), load=lambda: model.objects.get(**{field: value}))


class _CachedUserModel:
    objects = _CachedUsers()

    @property
    def DoesNotExist(self):  # noqa: N802  (the model's exception, as SimpleJWT catches it)
        return get_user_model().DoesNotExist


def _refuse_revoked() -> None:
    raise InvalidToken({"detail": "This token has been revoked.", "code": "token_revoked"})


@lru_cache(maxsize=2048)
def _token_with_valid_signature(raw_token: bytes):
    """The token, verified once per process: a signature that was valid stays valid, and
    checking it (with the claims' JSON) was a tenth of a cached read (issue 14). Expiry is
    checked again on every use; revocation and the user are checked per request anyway."""
    return JWTAuthentication().get_validated_token(raw_token)


def validated_access_token(raw_token: bytes):
    token = _token_with_valid_signature(raw_token)
    try:
        token.check_exp(current_time=aware_utcnow())
    except TokenError:
        return JWTAuthentication().get_validated_token(raw_token)  # raises SimpleJWT's own error
    return token


class RevocableJWTAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _CachedUserModel()

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if access_token_is_revoked(jti=token.get("jti", "")):
            _refuse_revoked()
        return token

    def authenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        token = validated_access_token(raw_token)  # signature and expiry only
        revoked_key = revoked_access_key(jti=token.get("jti", ""))
        user_id = str(token.get(api_settings.USER_ID_CLAIM, ""))
        view_keys = keys_to_read_with_auth(request, user_id=user_id)
        entries = prefetched_entries(user_id=user_id, extra_keys=[revoked_key, *view_keys])
        if entries.get(revoked_key):
            _refuse_revoked()
        remember_read_with_auth(request, view_keys, entries)
        with read_with(entries):
            return self.get_user(token), token
