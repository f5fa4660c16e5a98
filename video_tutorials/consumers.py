"""Websocket ``ws/recordings/<id>/``: an admin watches a recording's transcode progress."""

from channels.db import database_sync_to_async
from rest_framework.exceptions import NotFound

from core.consumers import AuthenticatedJsonConsumer
from core.permissions import is_admin

from .selectors import access_recording

CLOSE_NOT_FOUND = 4404


class RecordingProgressConsumer(AuthenticatedJsonConsumer):
    """Sends ``{event, recording_id, status, progress, error}`` on connect and on
    every change pushed by the transcoding service to group ``recording.<id>``."""

    async def is_allowed(self, user) -> bool:
        return is_admin(user)

    async def join_groups(self, user) -> None:
        key = self.scope["url_route"]["kwargs"]["recording_id"]
        self.recording = await self._recording(user, key)
        if self.recording is None:
            return
        await self.group_join(f"recording.{self.recording.recording_id}")

    async def connect(self):
        await super().connect()
        if not self.is_connected:  # refused: no token, not an admin, or the channel layer is down
            return
        if self.recording is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        recording = self.recording
        await self.send_json(
            {
                "event": "status",
                "recording_id": recording.recording_id,
                "status": recording.status,
                "progress": recording.progress,
                "error": recording.error,
            }
        )

    async def recording_progress(self, event):
        await self.send_json(event["payload"])

    async def receive_json(self, content, **kwargs):
        """Read-only channel: clients have nothing to say."""

    @database_sync_to_async
    def _recording(self, user, key: str):
        try:
            return access_recording(user, key)
        except NotFound:
            return None
