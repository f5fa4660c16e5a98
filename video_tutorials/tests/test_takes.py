"""Takes of one lesson with the same title on the same day: title-only snapshot batches
(the studio's way) and the upload always meet in the same take, in either order, and a
finished take never gets the next take's snapshots."""

import pytest

from video_tutorials.models import Recording
from video_tutorials.selectors import timeline_window

from .conftest import make_snapshots, upload

pytestmark = [pytest.mark.ffmpeg, pytest.mark.django_db]

TITLE = "Your first page"


def send(client, snapshots) -> dict:
    response = client.post("/api/save-code-snapshots/", {"title": TITLE, "snapshots": snapshots}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def codes_of(recording_id: str) -> list[str]:
    recording = Recording.objects.get(recording_id=recording_id)
    return [s["code"] for s in timeline_window(recording=recording, start=None, end=None, delta=False)]


def take(number: int, count: int = 6) -> list[dict]:
    """One take's timeline: starts at 0 s, its own code."""
    return make_snapshots(count, base=f"<h1>Take {number}</h1>\r\n")


def test_two_takes_snapshots_first_each_get_their_own_timeline(admin_client, media_dir):
    first, second = take(1), take(2)
    first_id = send(admin_client, first[:3])["recording_id"]
    assert send(admin_client, first[3:])["recording_id"] == first_id
    assert upload(admin_client, media_dir, title=TITLE).json()["data"]["recording_id"] == first_id

    # Take 2 starts minutes later: its batches start a new recording, which its upload joins.
    second_id = send(admin_client, second[:3])["recording_id"]
    assert second_id != first_id
    assert send(admin_client, second[3:])["recording_id"] == second_id
    assert upload(admin_client, media_dir, title=TITLE).json()["data"]["recording_id"] == second_id

    assert codes_of(first_id) == [s["code"] for s in first]
    assert codes_of(second_id) == [s["code"] for s in second]
    assert Recording.objects.count() == 2
    assert set(Recording.objects.values_list("status", flat=True)) == {"ready"}


def test_two_takes_upload_first_each_get_their_own_timeline(admin_client, media_dir):
    first, second = take(1), take(2)
    first_id = upload(admin_client, media_dir, title=TITLE).json()["data"]["recording_id"]
    assert send(admin_client, first)["recording_id"] == first_id  # all its batches came after the upload

    second_id = upload(admin_client, media_dir, title=TITLE).json()["data"]["recording_id"]
    assert second_id != first_id
    assert send(admin_client, second[:3])["recording_id"] == second_id
    assert send(admin_client, second[3:])["recording_id"] == second_id

    assert codes_of(first_id) == [s["code"] for s in first]
    assert codes_of(second_id) == [s["code"] for s in second]


def test_late_and_resent_batches_of_a_take_are_stored_once_in_that_take(admin_client, media_dir):
    snapshots = take(1, count=9)
    take_id = send(admin_client, snapshots[:3])["recording_id"]
    send(admin_client, snapshots[3:6])
    upload(admin_client, media_dir, title=TITLE)
    # After the upload: the batch that was in flight, then two re-sent after a network cut.
    late = send(admin_client, snapshots[6:])
    resent = [send(admin_client, snapshots[3:6]), send(admin_client, snapshots[6:])]
    assert late["recording_id"] == take_id and late["stored"] == 3
    assert [(r["recording_id"], r["stored"], r["duplicates"]) for r in resent] == [(take_id, 0, 3), (take_id, 0, 3)]
    assert codes_of(take_id) == [s["code"] for s in snapshots]
    assert Recording.objects.count() == 1


def test_a_take_abandoned_long_ago_is_not_joined_by_a_new_upload_or_batch(admin_client, media_dir):
    from datetime import timedelta

    from django.utils import timezone

    old_id = send(admin_client, take(1))["recording_id"]
    Recording.objects.filter(recording_id=old_id).update(updated_at=timezone.now() - timedelta(days=2))
    new_id = send(admin_client, take(2))["recording_id"]
    assert new_id != old_id
    assert upload(admin_client, media_dir, title=TITLE).json()["data"]["recording_id"] == new_id
    assert Recording.objects.get(recording_id=old_id).status == "awaiting_upload"
