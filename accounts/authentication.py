"""SimpleJWT authentication that also refuses access tokens revoked at logout."""

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from .services import access_token_is_revoked


class RevocableJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if access_token_is_revoked(jti=token.get("jti", "")):
            raise InvalidToken({"detail": "This token has been revoked.", "code": "token_revoked"})
        return token
