"""Which pages may open our websockets: our own hosts and the SPAs' CORS origins."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.services import tokens_for
from conftest import ws_connect
from core.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

SPA = "https://app.mrict.example.com"


@pytest.fixture
def production_origins(settings):
    settings.ALLOWED_HOSTS = ["mrict.example.com"]
    settings.CORS_ALLOWED_ORIGINS = [SPA, "https://admin.mrict.example.com"]


async def opens(student, origin: bytes | None) -> bool:
    access = await sync_to_async(lambda: tokens_for(user=student)["access"])()
    headers = [(b"origin", origin)] if origin is not None else []
    communicator = WebsocketCommunicator(application, f"/ws/notifications/?token={access}", headers=headers)
    connected, _ = await ws_connect(communicator)
    if connected:
        await communicator.disconnect()
    return connected


async def test_the_spa_served_from_its_own_origin_opens_a_websocket(student, production_origins):
    assert await opens(student, SPA.encode())


async def test_a_page_on_an_allowed_host_opens_a_websocket(student, production_origins):
    assert await opens(student, b"https://mrict.example.com")


@pytest.mark.parametrize(
    "origin",
    [
        b"https://evil.example.com",
        b"http://app.mrict.example.com",  # the SPA's host on another scheme is another origin
        b"https://app.mrict.example.com.evil.com",
        b"null",
    ],
)
async def test_a_foreign_origin_is_refused(student, production_origins, origin):
    assert not await opens(student, origin)


async def test_a_handshake_without_origin_is_refused_as_channels_does(student, production_origins):
    assert not await opens(student, None)
