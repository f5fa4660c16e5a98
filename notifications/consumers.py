"""Pushes a user's new notifications to every websocket they have open."""

from core.consumers import AuthenticatedJsonConsumer

from .services import notification_group


class NotificationConsumer(AuthenticatedJsonConsumer):
    async def join_groups(self, user) -> None:
        await self.group_join(notification_group(user.user_id))

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_message(self, event):
        await self.send_json(event["payload"])
