"""An open websocket closes when the access token that opened it expires."""

import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from conftest import ws_connect
from core.asgi import application
from core.consumers import CLOSE_UNAUTHENTICATED

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://127.0.0.1")]


def access_expiring_in(user, seconds: float) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


async def open_notifications(token: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/notifications/?token={token}", headers=ORIGIN)
    connected, _ = await ws_connect(communicator)
    assert connected
    return communicator


async def test_socket_closes_with_4401_when_its_access_token_expires(student):
    token = await sync_to_async(access_expiring_in)(student, 2)
    communicator = await open_notifications(token)
    opened = time.monotonic()

    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=1) == {"type": "pong"}  # live until then
    closed = await communicator.receive_output(timeout=5)

    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    assert time.monotonic() - opened > 0.5  # at expiry, not at once
    await communicator.disconnect()


async def test_socket_with_a_fresh_token_stays_open(student):
    token = await sync_to_async(access_expiring_in)(student, 600)
    communicator = await open_notifications(token)

    assert await communicator.receive_nothing(timeout=1.5)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=1) == {"type": "pong"}
    await communicator.disconnect()
