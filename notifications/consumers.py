"""Pushes a user's new notifications to every websocket they have open."""

from core.consumers import AuthenticatedJsonConsumer

from .services import notification_group


class NotificationConsumer(AuthenticatedJsonConsumer):
    async def join_groups(self, user) -> None:
        await self.group_join(notification_group(user.user_id))

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """A malformed frame gets an error message; it must not close the socket."""
        try:
            content = await self.decode_json(text_data) if text_data else None
        except ValueError:  # json.JSONDecodeError
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": 'Send a JSON object such as {"type": "ping"}.'})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_message(self, event):
        await self.send_json(event["payload"])
