"""SimpleJWT authentication that also refuses access tokens revoked at logout, and finds
the token's user through the shared cache (accounts/user_cache.py) instead of a query."""

from django.contrib.auth import get_user_model
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from .services import access_token_is_revoked
from .user_cache import user_for_token


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


class RevocableJWTAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _CachedUserModel()

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if access_token_is_revoked(jti=token.get("jti", "")):
            raise InvalidToken({"detail": "This token has been revoked.", "code": "token_revoked"})
        return token
