"""Websocket authentication with the same SimpleJWT access tokens as the REST API.

The token comes from the query string (``?token=<access>``) or, so it stays out of
logs, from the subprotocols (``Sec-WebSocket-Protocol: bearer, <access>``). Its expiry
goes into ``scope["token_expires_at"]``: the consumer closes the socket then
(core.consumers), so a socket never outlives the token that opened it. core/asgi.py
puts this middleware in front of every websocket route.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from core.consumers import BEARER_SUBPROTOCOL

from .authentication import RevocableJWTAuthentication


def token_from_scope(scope) -> str | None:
    subprotocols = scope.get("subprotocols") or []
    if BEARER_SUBPROTOCOL in subprotocols:
        index = subprotocols.index(BEARER_SUBPROTOCOL)
        if index + 1 < len(subprotocols):
            return subprotocols[index + 1]
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token")
    return tokens[0] if tokens else None


@database_sync_to_async
def session_for_token(raw_token: str) -> tuple:
    """The token's user and its expiry (a Unix time), or an anonymous user and None."""
    auth = RevocableJWTAuthentication()
    try:
        validated = auth.get_validated_token(raw_token.encode())
        return auth.get_user(validated), float(validated["exp"])
    except (InvalidToken, TokenError, AuthenticationFailed):
        return AnonymousUser(), None


class JWTAuthMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        raw_token = token_from_scope(scope)
        user, expires_at = await session_for_token(raw_token) if raw_token else (AnonymousUser(), None)
        scope = {**scope, "user": user, "token_expires_at": expires_at}
        return await self.inner(scope, receive, send)
