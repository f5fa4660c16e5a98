"""Pushes a user's new notifications to every websocket they have open."""

from core.consumers import AuthenticatedJsonConsumer

from .services import notification_group


class NotificationConsumer(AuthenticatedJsonConsumer):
    async def join_groups(self, user) -> None:
        self.group_name = notification_group(user.user_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_message(self, event):
        await self.send_json(event["payload"])
