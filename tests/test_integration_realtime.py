"""End to end on real services: Daphne on loopback, a real redis-server as the channel
layer, HTTP login, and the notifications websocket authenticated with the JWT."""

import asyncio
import json
import urllib.request
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.redis]


def http_post(url, payload, token=None):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def redis_layer(url):
    return {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}}


@pytest.fixture
def stack(redis_server, start_daphne):
    server = start_daphne(REDIS_URL=redis_server.url)
    with override_settings(CHANNEL_LAYERS=redis_layer(redis_server.url)):
        yield server


async def receive_json(websocket, timeout=10):
    return json.loads(await asyncio.wait_for(websocket.recv(), timeout))


async def closed_code(url, origin, **kwargs):
    try:
        async with connect(url, origin=origin, **kwargs) as websocket:
            await asyncio.wait_for(websocket.recv(), 5)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except InvalidStatus as refused:
        return refused.response.status_code
    return None


def test_notification_reaches_its_recipient_over_a_real_websocket_and_nobody_else(stack, make_user):
    from notifications.services import notification_send

    student = make_user("student")
    other = make_user("student")
    access = http_post(
        f"{stack.base_url}/api/accounts/login-student/", {"email": student.email, "password": DEFAULT_PASSWORD}
    )["data"]["access"]
    other_access = http_post(
        f"{stack.base_url}/api/accounts/login-student/", {"email": other.email, "password": DEFAULT_PASSWORD}
    )["data"]["access"]

    async def scenario():
        origin = stack.base_url
        url = f"{stack.ws_url}/ws/notifications/"
        async with (
            connect(f"{url}?token={access}", origin=origin) as mine,
            connect(url, origin=origin, subprotocols=["bearer", other_access]) as theirs,
        ):
            await asyncio.sleep(0.3)  # both joined their groups
            await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: notification_send(
                    recipient=student, kind="lesson_published", title="New lesson: Links", body="Watch it now."
                ),
            )
            message = await receive_json(mine)
            assert message["title"] == "New lesson: Links"
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(theirs.recv(), 1.5)

    async_to_sync(scenario)()


def test_websocket_refuses_missing_expired_and_revoked_tokens(stack, make_user):
    from rest_framework_simplejwt.tokens import AccessToken

    student = make_user("student")
    tokens = http_post(f"{stack.base_url}/api/accounts/login/", {"email": student.email, "password": DEFAULT_PASSWORD})
    expired = AccessToken.for_user(student)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    http_post(f"{stack.base_url}/api/accounts/logout/", {"refresh": tokens["refresh"]}, token=tokens["access"])
    url = f"{stack.ws_url}/ws/notifications/"

    async def scenario():
        origin = stack.base_url
        assert await closed_code(url, origin) == 4401
        assert await closed_code(f"{url}?token={expired}", origin) == 4401
        assert await closed_code(f"{url}?token={tokens['access']}", origin) == 4401  # revoked at logout
        assert await closed_code(f"{url}?token=not-a-jwt", origin) == 4401

    async_to_sync(scenario)()


def test_publishing_over_http_notifies_enrolled_students_on_their_websockets(stack, make_user):
    from courses.models import Enrollment
    from courses.tests.factories import LessonStepFactory
    from video_tutorials.models import Recording

    admin, enrolled, elsewhere = make_user("admin"), make_user("student"), make_user("student")
    lesson = LessonStepFactory(step_number=1).lesson
    Enrollment.objects.create(user=enrolled, course=lesson.module.course)
    recording = Recording.objects.create(title="Links, take 1", lesson=lesson, status=Recording.Status.READY)

    def login(user):
        payload = {"email": user.email, "password": DEFAULT_PASSWORD}
        return http_post(f"{stack.base_url}/api/accounts/login/", payload)["access"]

    admin_access, enrolled_access, elsewhere_access = login(admin), login(enrolled), login(elsewhere)

    async def scenario():
        url = f"{stack.ws_url}/ws/notifications/"
        async with (
            connect(f"{url}?token={enrolled_access}", origin=stack.base_url) as learner,
            connect(f"{url}?token={elsewhere_access}", origin=stack.base_url) as bystander,
        ):
            await asyncio.sleep(0.3)  # both joined their groups
            published = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: http_post(
                    f"{stack.base_url}/api/recordings/{recording.recording_id}/publish/", {}, token=admin_access
                ),
            )
            assert published.get("data", published)["is_published"] is True
            message = await receive_json(learner)
            assert message["kind"] == "recording_published"
            assert message["title"] == f"New lesson video: {lesson.title}"
            assert message["data"]["recording_id"] == recording.recording_id
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(bystander.recv(), 1.5)

    async_to_sync(scenario)()
