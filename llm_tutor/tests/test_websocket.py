"""Websocket /ws/tutor/: auth, token messages then a final one, errors as messages."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.services import tokens_for
from conftest import ws_connect
from core.asgi import application
from llm_tutor.conftest import EXPECTED_HTML

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("curriculum_index", "no_llm", "fresh_retrieval_cache"),
]


async def connect(user=None):
    path = "/ws/tutor/"
    if user is not None:
        token = await sync_to_async(lambda: tokens_for(user=user)["access"])()
        path += f"?token={token}"
    communicator = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await ws_connect(communicator)
    return communicator, connected, code


async def until_final(communicator) -> tuple[list[dict], dict]:
    messages = []
    while True:
        message = await communicator.receive_json_from(timeout=30)
        messages.append(message)
        if message["type"] in ("final", "error"):
            return messages[:-1], message


async def test_anonymous_is_refused():
    communicator, connected, code = await connect()
    assert not connected and code == 4401


async def test_update_streams_tokens_then_final(student, lesson):
    communicator, connected, _ = await connect(student)
    assert connected
    await communicator.send_json_to(
        {
            "type": "update",
            "lesson_id": lesson.lesson_id,
            "step": 1,
            "code": '<h1>Welcome to Kumasi</h1>\n<img src="kente.jpg">',
        }
    )
    tokens, final = await until_final(communicator)
    assert final["type"] == "final" and final["kind"] == "update"
    data = final["data"]
    assert data["source"] == "offline" and data["status"] in ("close", "off_track") and data["branch_id"]
    assert all(m["type"] in ("token", "reset") for m in tokens)
    assert "colourful kente cloth" not in str(tokens) + str(final)
    await communicator.send_json_to({"type": "ask", "question": "what is alt text?"})
    _, final = await until_final(communicator)
    assert final["kind"] == "ask" and final["data"]["references"][0]["id"] == "a11y-alt-text"
    await communicator.disconnect()


async def test_errors_are_messages_and_the_socket_stays_open(student, lesson):
    communicator, _, _ = await connect(student)
    await communicator.send_json_to({"type": "dance"})
    _, error = await until_final(communicator)
    assert error["type"] == "error" and error["status"] == 400
    await communicator.send_json_to({"type": "ask", "question": ""})
    _, error = await until_final(communicator)
    assert error["status"] == 400 and "question" in error["errors"]
    await communicator.send_json_to({"type": "update", "lesson_id": "LSN-NOPE", "step": 1, "code": ""})
    _, error = await until_final(communicator)
    assert error["status"] == 404
    await communicator.send_json_to({"type": "update", "lesson_id": lesson.lesson_id, "step": 1, "code": EXPECTED_HTML})
    _, final = await until_final(communicator)
    assert final["data"]["status"] == "correct"
    await communicator.disconnect()


async def test_websocket_has_the_tutor_rate(student, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tutor": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    communicator, _, _ = await connect(student)
    await communicator.send_json_to({"type": "ask", "question": "what is css?"})
    _, first = await until_final(communicator)
    await communicator.send_json_to({"type": "ask", "question": "what is css?"})
    _, second = await until_final(communicator)
    assert first["type"] == "final" and second["status"] == 429 and second["retry_after"] > 0
    await communicator.disconnect()


async def test_http_and_websocket_share_one_bucket(student, settings):
    """Alternating HTTP and the websocket does not double a student's rate."""
    from rest_framework.test import APIClient

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tutor": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    def ask_over_http():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=student)['access']}")
        return client.post("/llm-tutor/api/llm/ask", {"question": "what is css?"}, format="json").status_code

    assert await sync_to_async(ask_over_http)() == 200
    communicator, _, _ = await connect(student)
    await communicator.send_json_to({"type": "ask", "question": "what is css?"})
    _, reply = await until_final(communicator)
    assert reply["type"] == "error" and reply["status"] == 429
    await communicator.disconnect()
