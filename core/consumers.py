"""Base websocket consumer: refuses anyone without a valid access token."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .ws_auth import BEARER_SUBPROTOCOL

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class AuthenticatedJsonConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await self.is_allowed(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join_groups(user)
        subprotocol = BEARER_SUBPROTOCOL if BEARER_SUBPROTOCOL in (self.scope.get("subprotocols") or []) else None
        await self.accept(subprotocol=subprotocol)

    async def is_allowed(self, user) -> bool:
        return True

    async def join_groups(self, user) -> None:
        """Subclasses add the consumer to its channel-layer groups here."""
