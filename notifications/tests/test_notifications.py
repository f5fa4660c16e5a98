"""Notifications: REST list/read, and websocket delivery to the recipient only."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from accounts.services import tokens_for
from conftest import ws_connect
from core.asgi import application
from core.consumers import CLOSE_TRY_AGAIN_LATER
from notifications.models import Notification
from notifications.services import notification_send, notifications_send_many

pytestmark = pytest.mark.django_db(transaction=True)


def test_list_unread_count_and_mark_read(student, student_client, make_user):
    other = make_user()
    mine = notification_send(recipient=student, kind="lesson_published", title="New lesson")
    notification_send(recipient=other, kind="lesson_published", title="Not yours")
    listing = student_client.get("/api/notifications/").json()
    assert [n["notification_id"] for n in listing["results"]] == [mine.notification_id]
    assert student_client.get("/api/notifications/unread-count/").json() == {"unread": 1}
    read = student_client.post(f"/api/notifications/{mine.notification_id}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert student_client.get("/api/notifications/unread-count/").json() == {"unread": 0}


def test_cannot_mark_someone_elses_notification(student_client, make_user):
    theirs = notification_send(recipient=make_user(), kind="x", title="Not yours")
    assert student_client.post(f"/api/notifications/{theirs.notification_id}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_mine(student, student_client, make_user):
    other = make_user()
    for _ in range(3):
        notification_send(recipient=student, kind="x", title="t")
    notification_send(recipient=other, kind="x", title="t")
    assert student_client.post("/api/notifications/mark-all-read/").json() == {"marked": 3}
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_list_has_constant_queries(student, student_client, django_assert_max_num_queries):
    for count in (5, 50):
        Notification.objects.all().delete()
        for _ in range(count):
            notification_send(recipient=student, kind="x", title="t")
        with django_assert_max_num_queries(3):
            assert student_client.get("/api/notifications/?page_size=100").status_code == 200


async def connect(user=None, token=None):
    from asgiref.sync import sync_to_async

    if user is not None:
        token = await sync_to_async(lambda: tokens_for(user=user)["access"])()
    path = "/ws/notifications/" + (f"?token={token}" if token else "")
    communicator = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await ws_connect(communicator)
    return communicator, connected, code


async def deliver_to_recipient_only(student, other):
    from asgiref.sync import sync_to_async

    mine, connected, _ = await connect(student)
    theirs, other_connected, _ = await connect(other)
    assert connected and other_connected
    await sync_to_async(notification_send)(recipient=student, kind="lesson_published", title="Links lesson is out")
    message = await mine.receive_json_from(timeout=5)
    assert message["title"] == "Links lesson is out"
    assert await theirs.receive_nothing(timeout=0.5)
    await mine.disconnect()
    await theirs.disconnect()


async def test_websocket_delivers_to_recipient_only_in_memory(make_user):
    from asgiref.sync import sync_to_async

    student, other = await sync_to_async(lambda: (make_user(), make_user()))()
    await deliver_to_recipient_only(student, other)


@pytest.mark.redis
async def test_websocket_delivers_to_recipient_only_over_real_redis(make_user, redis_server):
    from asgiref.sync import sync_to_async

    layers = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_server.url]}}}
    with override_settings(CHANNEL_LAYERS=layers):
        student, other = await sync_to_async(lambda: (make_user(), make_user()))()
        await deliver_to_recipient_only(student, other)


async def test_websocket_refuses_missing_and_bad_tokens():
    for token in (None, "not-a-token"):
        communicator, connected, code = await connect(token=token)
        assert not connected
        assert code == 4401


@pytest.mark.redis
async def test_websocket_says_try_again_later_while_redis_is_down_and_works_when_it_is_back(make_user, redis_server):
    from asgiref.sync import sync_to_async

    layers = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_server.url]}}}
    with override_settings(CHANNEL_LAYERS=layers):
        student, other = await sync_to_async(lambda: (make_user(), make_user()))()
        redis_server.stop()

        communicator, connected, code = await connect(student)
        assert (connected, code) == (False, CLOSE_TRY_AGAIN_LATER)  # not a dropped socket
        # A notification made meanwhile is stored (the push is best effort) and listed later.
        await sync_to_async(notification_send)(recipient=student, kind="x", title="While Redis was down")
        assert await sync_to_async(Notification.objects.filter(recipient=student).count)() == 1

        redis_server.start()
        await deliver_to_recipient_only(student, other)


@pytest.mark.parametrize("frame", ["[1, 2]", "not json", '"ping"', "42"])
async def test_a_malformed_frame_gets_an_error_and_the_socket_stays_open(make_user, frame):
    from asgiref.sync import sync_to_async

    student = await sync_to_async(make_user)()
    communicator, connected, _ = await connect(student)
    assert connected

    await communicator.send_to(text_data=frame)
    error = await communicator.receive_json_from(timeout=5)
    await communicator.send_json_to({"type": "ping"})
    pong = await communicator.receive_json_from(timeout=5)

    assert error["type"] == "error" and "JSON object" in error["detail"]
    assert pong == {"type": "pong"}
    await communicator.disconnect()


def test_unread_filter_lists_unread_only(student, student_client):
    read = notification_send(recipient=student, kind="x", title="Seen")
    unread = notification_send(recipient=student, kind="x", title="New")
    student_client.post(f"/api/notifications/{read.notification_id}/read/")

    def listed(query: str) -> list[str]:
        return [n["notification_id"] for n in student_client.get(f"/api/notifications/{query}").json()["results"]]

    assert listed("?unread=true") == listed("?unread=1") == [unread.notification_id]
    assert set(listed("?unread=false")) == set(listed("")) == {read.notification_id, unread.notification_id}


def test_a_bad_unread_value_is_a_400(student_client):
    response = student_client.get("/api/notifications/?unread=maybe")

    assert response.status_code == 400 and set(response.json()["errors"]) == {"unread"}


def test_the_schema_declares_the_unread_parameter(client):
    import json

    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    parameters = {p["name"]: p for p in schema["paths"]["/api/notifications/"]["get"]["parameters"]}

    assert parameters["unread"]["in"] == "query" and parameters["unread"]["schema"]["type"] == "boolean"
    assert {"page", "page_size"} <= set(parameters)


async def test_the_websocket_push_is_the_notification_as_the_list_shows_it(make_user, client_for):
    from asgiref.sync import sync_to_async

    student = await sync_to_async(make_user)()
    communicator, connected, _ = await connect(student)
    assert connected
    await sync_to_async(notification_send)(
        recipient=student, kind="lesson_published", title="Loops", body="Watch it now.", data={"lesson_id": "LSN-1"}
    )
    pushed = await communicator.receive_json_from(timeout=5)
    listed = await sync_to_async(lambda: client_for(student).get("/api/notifications/").json()["results"])()
    await communicator.disconnect()

    assert pushed == listed[0]
    assert set(pushed) == {"notification_id", "kind", "title", "body", "data", "is_read", "read_at", "created_at"}


def test_sending_to_many_is_one_insert_and_each_recipient_gets_their_own(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []
    for count in (1, 20):
        Notification.objects.all().delete()
        users = [make_user() for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            sent = notifications_send_many(recipients=users, kind="recording_published", title="New video")
        queries.append([q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"] or "SELECT" in q["sql"]])

        assert len(sent) == count
        assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(u.pk for u in users)
    assert [len(q) for q in queries] == [1, 1]  # one INSERT, whatever the number of recipients
