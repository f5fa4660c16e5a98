"""PATCH /api/recordings/<id>/: admins link a recording to its lesson, re-link and
unlink it over the API (the studio never sends a lesson), with the upload's checks."""

import pytest

from courses.models import Enrollment, Lesson, PublishStatus
from notifications.models import Notification
from video_tutorials.models import Recording

pytestmark = pytest.mark.django_db


@pytest.fixture
def take():
    """What the studio leaves behind: a ready take with no lesson."""
    return Recording.objects.create(title="New Recording", status=Recording.Status.READY, duration=15.267)


def patch(client, recording, body):
    return client.patch(f"/api/recordings/{recording.recording_id}/", body, format="json")


def test_admin_links_relinks_and_unlinks_a_take(admin_client, student_client, take, lesson):
    other = Lesson.objects.create(module=lesson.module, title="Second page", status=PublishStatus.PUBLISHED)
    version = take.content_version

    linked = patch(admin_client, take, {"lesson": lesson.lesson_id})
    assert linked.status_code == 200, linked.content
    assert linked.json()["data"]["lesson_id"] == lesson.lesson_id
    assert linked.json()["data"]["lesson_title"] == lesson.title
    take.refresh_from_db()
    assert take.lesson == lesson and take.content_version == version + 1  # cached JSON is re-rendered

    relinked = patch(admin_client, take, {"lesson": str(other.pk)})  # the numeric id works too, as at upload
    assert relinked.status_code == 200 and relinked.json()["data"]["lesson_id"] == other.lesson_id
    assert admin_client.get(f"/api/recordings/{take.recording_id}/").json()["data"]["lesson_id"] == other.lesson_id

    unlinked = patch(admin_client, take, {"lesson": None})
    assert unlinked.status_code == 200 and unlinked.json()["data"]["lesson_id"] is None
    take.refresh_from_db()
    assert take.lesson is None and take.content_version == version + 3
    assert patch(admin_client, take, {"lesson": None}).status_code == 200  # a re-sent PATCH changes nothing
    take.refresh_from_db()
    assert take.content_version == version + 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lesson": "LES-NOPE0000-00"}, "lesson"),
        ({"lesson": "999999"}, "lesson"),
        ({"lesson": ""}, "lesson"),
        ({"lesson": 5}, "lesson"),
        ({}, "lesson"),
        ({"lesson": None, "title": "Renamed"}, "title"),
    ],
)
def test_bad_links_are_400_and_change_nothing(admin_client, take, lesson, body, field):
    take.lesson = lesson
    take.save()
    response = patch(admin_client, take, body)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "code", "errors"} and field in response.json()["errors"]
    take.refresh_from_db()
    assert take.lesson == lesson and take.title == "New Recording"


def test_unknown_recording_is_404_and_only_admins_link(admin_client, student_client, api_client, take, lesson):
    assert admin_client.patch("/api/recordings/REC-NOPE0000-00/", {"lesson": None}, format="json").status_code == 404
    assert patch(student_client, take, {"lesson": lesson.lesson_id}).status_code == 403
    assert patch(api_client, take, {"lesson": lesson.lesson_id}).status_code == 401
    take.refresh_from_db()
    assert take.lesson is None


def test_linking_a_published_take_tells_the_lessons_students_once(admin_client, take, lesson, student):
    Enrollment.objects.create(user=student, course=lesson.module.course)
    assert admin_client.post(f"/api/recordings/{take.recording_id}/publish/").status_code == 200
    assert not Notification.objects.exists()  # no lesson yet: nobody to tell
    assert patch(admin_client, take, {"lesson": lesson.lesson_id}).status_code == 200
    assert patch(admin_client, take, {"lesson": None}).status_code == 200
    assert patch(admin_client, take, {"lesson": lesson.lesson_id}).status_code == 200
    notice = Notification.objects.get()
    assert notice.recipient == student and notice.data["recording_id"] == take.recording_id
