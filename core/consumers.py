"""Base websocket consumer: refuses anyone without a valid access token, closes the
socket when that token expires, and owns the consumer's channel-layer groups so every
subclass leaves them the same way."""

import asyncio
import logging
import time

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A client that sends its token as a subprotocol (``bearer, <access>``, read by
# accounts.ws_auth) is answered with this one, as browsers require.
BEARER_SUBPROTOCOL = "bearer"

# No usable token: refused at connect, or the token expired while the socket was open.
# Either way the client refreshes its access token and reconnects.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# "Try again later" (the channel layer's Redis is down): clients reconnect with backoff. Not
# RFC 6455's 1013, which Daphne (autobahn) refuses to send: it turned the close into 1011.
CLOSE_TRY_AGAIN_LATER = 4503
# What channels-redis raises when Redis is unreachable.
CHANNEL_LAYER_ERRORS = (RedisError, OSError)


class AuthenticatedJsonConsumer(AsyncJsonWebsocketConsumer):
    was_accepted = False
    was_closed = False

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except CHANNEL_LAYER_ERRORS:
            # The consumer's own channel (its receive loop) lives on the layer too: when Redis
            # goes, the socket ends with "Try Again Later", not an internal error (1011).
            logger.warning("Channel layer unavailable; websocket closed for now", exc_info=True)
            if not self.was_closed:
                if not self.was_accepted:
                    await send({"type": "websocket.accept", "subprotocol": self.chosen_subprotocol()})
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol=subprotocol, headers=headers)
        self.was_accepted = True

    async def close(self, code=None, reason=None):
        await super().close(code=code, reason=reason)
        self.was_closed = True

    async def connect(self):
        self.is_connected = False
        self.joined_groups: list[str] = []
        self.token_expiry: asyncio.Task | None = None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        if not await self.is_allowed(user):
            await self.refuse(CLOSE_FORBIDDEN)
            return
        try:
            await self.join_groups(user)
        except CHANNEL_LAYER_ERRORS:
            # Pushes cannot reach this socket while the layer is down; say so instead of
            # accepting a socket that would stay silent.
            logger.warning("Channel layer unavailable; websocket refused for now", exc_info=True)
            await self.refuse(CLOSE_TRY_AGAIN_LATER)
            return
        await self.accept(subprotocol=self.chosen_subprotocol())
        self.is_connected = True
        expires_at = self.scope.get("token_expires_at")
        if expires_at is not None:
            self.token_expiry = asyncio.create_task(self._close_when_token_expires(expires_at))

    def chosen_subprotocol(self) -> str | None:
        return BEARER_SUBPROTOCOL if BEARER_SUBPROTOCOL in (self.scope.get("subprotocols") or []) else None

    async def refuse(self, code: int) -> None:
        """Accept, then close with ``code``: a close before accept reaches the client as a bare
        HTTP 403 at the handshake (Daphne), so it could not tell "log in again" from "try later"."""
        await self.accept(subprotocol=self.chosen_subprotocol())
        await self.close(code=code)

    async def _close_when_token_expires(self, expires_at: float) -> None:
        await asyncio.sleep(max(expires_at - time.time(), 0))
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def is_allowed(self, user) -> bool:
        return True

    async def join_groups(self, user) -> None:
        """Subclasses join their channel-layer groups here, with ``group_join``."""

    async def group_join(self, name: str) -> None:
        await self.channel_layer.group_add(name, self.channel_name)
        self.joined_groups.append(name)

    async def disconnect(self, code):
        if getattr(self, "token_expiry", None) is not None:
            self.token_expiry.cancel()
        for name in getattr(self, "joined_groups", []):
            try:
                await self.channel_layer.group_discard(name, self.channel_name)
            except CHANNEL_LAYER_ERRORS:
                # The layer drops the membership itself when it expires (group_expiry).
                logger.warning("Could not leave group %s; it expires on its own", name)
