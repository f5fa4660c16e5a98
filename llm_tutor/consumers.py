"""Websocket /ws/tutor/: send {"type": "ask"|"update", ...}; receive token messages then a final one.

Messages out: {"type": "token", "token": "..."} … {"type": "final", "kind": ..., "data": {...}}
or {"type": "error", "status": 4xx, "detail": ..., "code": ..., "errors": {...}}.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from rest_framework import exceptions

from core.consumers import AuthenticatedJsonConsumer

from . import services
from .serializers import AskRequestSerializer, AskResponseSerializer, UpdateRequestSerializer, UpdateResponseSerializer
from .throttles import tutor_throttle_wait

logger = logging.getLogger(__name__)

KINDS = {
    "update": (UpdateRequestSerializer, UpdateResponseSerializer, services.update_events),
    "ask": (AskRequestSerializer, AskResponseSerializer, services.ask_events),
}


def _prepare(user, content: dict):
    kind = content.get("type")
    if kind not in KINDS:
        raise exceptions.ValidationError({"type": ['Send "ask" or "update".']})
    request_serializer, response_serializer, make_events = KINDS[kind]
    wait = tutor_throttle_wait(user=user)
    if wait is not None:
        raise exceptions.Throttled(wait=wait)
    data = request_serializer(data={k: v for k, v in content.items() if k != "type"})
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    if kind == "ask":
        fields["lesson_id"] = fields.get("lesson_id") or None
    return kind, response_serializer, make_events(user, **fields)


def _next(events, sentinel):
    return next(events, sentinel)


class TutorConsumer(AuthenticatedJsonConsumer):
    async def receive_json(self, content, **kwargs):
        user = self.scope["user"]
        if not isinstance(content, dict):
            await self._error(exceptions.ValidationError({"type": ["Send a JSON object."]}))
            return
        try:
            kind, response_serializer, events = await sync_to_async(_prepare, thread_sensitive=True)(user, content)
        except exceptions.APIException as exc:
            await self._error(exc)
            return
        sentinel = object()
        try:
            while True:
                try:
                    item = await sync_to_async(_next, thread_sensitive=True)(events, sentinel)
                except Exception:
                    logger.exception("Tutor websocket stream failed")
                    await self.send_json(
                        {
                            "type": "error",
                            "status": 500,
                            "detail": "The tutor could not answer.",
                            "code": "tutor_error",
                            "errors": {},
                        }
                    )
                    return
                if item is sentinel:
                    return
                event, value = item
                if event == "token":
                    await self.send_json({"type": "token", "token": value})
                elif event == "reset":
                    await self.send_json({"type": "reset"})
                elif event == "done":
                    await self.send_json(
                        {"type": "final", "kind": kind, "data": response_serializer(value.payload).data}
                    )
        finally:
            # A student who left mid-reply: stop the LLM, keep the partial exchange.
            await sync_to_async(events.close, thread_sensitive=True)()

    async def _error(self, exc: exceptions.APIException):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {}
        message = str(detail) if not isinstance(detail, dict) else "The message is not valid."
        body = {
            "type": "error",
            "status": exc.status_code,
            "detail": message,
            "code": exc.default_code,
            "errors": errors,
        }
        if isinstance(exc, exceptions.Throttled):
            body["retry_after"] = exc.wait
        await self.send_json(body)
