"""Who may open each websocket route: the JWT auth matrix of /ws/notifications/,
/ws/recordings/<id>/ and /ws/tutor/, through the real ASGI application.

A refused socket closes with 4401 (no usable token) or 4403 (a role the route does
not serve). Logout blacklists the refresh token and revokes the access token it was
called with (accounts.services.user_logout), so that access token is refused too.
"""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import tokens_for
from conftest import ws_connect
from core.asgi import application
from core.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from video_tutorials.consumers import CLOSE_NOT_FOUND
from video_tutorials.models import Recording

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://127.0.0.1")]


@pytest.fixture
def recording(db):
    return Recording.objects.create(title="Links, take 1", status=Recording.Status.READY)


def route_paths(recording) -> dict[str, str]:
    return {
        "notifications": "/ws/notifications/",
        "recordings": f"/ws/recordings/{recording.recording_id}/",
        "tutor": "/ws/tutor/",
    }


async def open_socket(path: str, token: str | None = None, subprotocols=None):
    if token is not None:
        path += f"?token={token}"
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN, subprotocols=subprotocols)
    connected, code = await ws_connect(communicator)
    return communicator, connected, code


async def refusal_code(path: str, token: str | None) -> int:
    communicator, connected, code = await open_socket(path, token)
    assert not connected, f"{path} accepted the token"
    return code


def access_of(user) -> str:
    return tokens_for(user=user)["access"]


def expired_access_of(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def deactivated_users_access(user) -> str:
    access = access_of(user)  # issued while the account was active
    user.is_active = False
    user.save(update_fields=["is_active"])
    return access


def logged_out_access(user) -> str:
    tokens = tokens_for(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = client.post("/api/accounts/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code in (200, 204), response.content
    return tokens["access"]


REFUSED_TOKENS = {
    "no token": lambda user: None,
    "malformed token": lambda user: "not-a-jwt",
    "token signed with another key": lambda user: access_of(user)[:-4] + "AAAA",
    "refresh token instead of access": lambda user: tokens_for(user=user)["refresh"],
    "expired access token": expired_access_of,
    "deactivated user": deactivated_users_access,
    "logged-out session": logged_out_access,
}


@pytest.mark.parametrize("route", ["notifications", "recordings", "tutor"])
@pytest.mark.parametrize("case", list(REFUSED_TOKENS))
async def test_every_websocket_route_refuses_a_token_that_is_not_a_live_session(make_user, recording, route, case):
    # An admin, so the only reason for a refusal on the admin-only route is the token.
    admin = await sync_to_async(make_user)("admin")
    token = await sync_to_async(REFUSED_TOKENS[case])(admin)
    assert await refusal_code(route_paths(recording)[route], token) == CLOSE_UNAUTHENTICATED


@pytest.mark.parametrize("role", ["student", "teacher"])
async def test_recording_progress_socket_refuses_non_admins(make_user, recording, role):
    user = await sync_to_async(make_user)(role)
    token = await sync_to_async(access_of)(user)
    assert await refusal_code(route_paths(recording)["recordings"], token) == CLOSE_FORBIDDEN


async def test_recording_progress_socket_closes_for_an_unknown_recording(make_user):
    admin = await sync_to_async(make_user)("admin")
    token = await sync_to_async(access_of)(admin)
    assert await refusal_code("/ws/recordings/rec-missing/", token) == CLOSE_NOT_FOUND


async def test_admin_watches_a_recording_with_a_valid_token(make_user, recording):
    admin = await sync_to_async(make_user)("admin")
    token = await sync_to_async(access_of)(admin)
    communicator, connected, _ = await open_socket(route_paths(recording)["recordings"], token)
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {
        "event": "status",
        "recording_id": recording.recording_id,
        "status": Recording.Status.READY,
        "progress": recording.progress,
        "error": recording.error,
    }
    await communicator.disconnect()


@pytest.mark.parametrize("role", ["student", "teacher", "admin"])
async def test_notifications_socket_accepts_a_valid_token_in_the_bearer_subprotocol(make_user, role):
    user = await sync_to_async(make_user)(role)
    token = await sync_to_async(access_of)(user)
    communicator, connected, subprotocol = await open_socket("/ws/notifications/", subprotocols=["bearer", token])
    assert connected and subprotocol == "bearer"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.disconnect()


async def test_tutor_socket_accepts_a_student_with_a_valid_token(student):
    token = await sync_to_async(access_of)(student)
    communicator, connected, _ = await open_socket("/ws/tutor/", token)
    assert connected
    # A message the tutor cannot act on is answered (not dropped): the socket is live.
    await communicator.send_json_to({"type": "chat"})
    reply = await communicator.receive_json_from(timeout=5)
    assert (reply["type"], reply["status"], reply["code"]) == ("error", 400, "invalid")
    await communicator.disconnect()
