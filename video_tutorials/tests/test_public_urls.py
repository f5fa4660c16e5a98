"""Every media URL in JSON is absolute (core/public_urls.py): PUBLIC_BASE_URL when set,
else the request's own scheme and host. The student SPA runs on another origin and uses
``image`` and video URLs as ``src`` as they are; S3 URLs were absolute already."""

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.public_urls import absolute_url
from video_tutorials.models import RecordingAsset

from .test_playback import ready_recording  # noqa: F401  (a ready recording with every asset kind)

pytestmark = pytest.mark.django_db

URL_KEYS = {"image", "thumbnail", "url", "video_url", "poster_url", "subtitles_url", "original_url", "audio_url"}
URL_KEYS |= {"snapshots_url", "bundle_url"}


def links_in(value, key=None):
    """(key, url) of every link in a JSON document."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from links_in(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from links_in(item, key)
    elif isinstance(value, str) and key in URL_KEYS:
        yield key, value


@pytest.fixture
def published(ready_recording, lesson):  # noqa: F811
    ready_recording.is_published = True
    ready_recording.original = default_storage.save("recordings/original.webm", ContentFile(b"webm"))
    ready_recording.save()
    RecordingAsset.objects.create(
        recording=ready_recording,
        kind=RecordingAsset.Kind.CAPTION,
        label="en",
        file=default_storage.save("recordings/captions.vtt", ContentFile(b"WEBVTT\n")),
        size_bytes=7,
    )
    course = lesson.module.course
    course.image = default_storage.save("courses/cover.png", ContentFile(b"\x89PNG\r\n"))
    course.save()
    return ready_recording


def documents(admin_client, student_client, recording, lesson) -> dict:
    course = lesson.module.course
    return {
        "student recording": student_client.get(f"/api/recordings/{recording.recording_id}/"),
        "admin recording": admin_client.get(f"/api/recordings/{recording.recording_id}/"),
        "recording list": student_client.get("/api/recordings/"),
        "captions": student_client.get(f"/api/recordings/{recording.recording_id}/captions/"),
        "catalog": student_client.get("/api/students/experience/catalog/"),
        "catalog course": student_client.get(f"/api/students/experience/catalog/{course.course_id}/"),
        "courses": student_client.get("/api/courses/"),
        "player lesson": student_client.get(f"/api/students/experience/lessons/{lesson.lesson_id}/"),
        "lesson": student_client.get(f"/api/lessons/{lesson.lesson_id}/"),
        "admin course": admin_client.get(f"/api/admin/content/courses/{course.course_id}/"),
    }


def assert_every_link_starts_with(responses: dict, base: str) -> set[str]:
    kinds = set()
    for name, response in responses.items():
        assert response.status_code == 200, (name, response.content[:300])
        for key, url in links_in(response.json()):
            assert url.startswith(f"{base}/"), (name, key, url)
            kinds.add(key)
    return kinds


def test_media_urls_are_absolute_on_the_requests_host(admin_client, student_client, published, lesson):
    responses = documents(admin_client, student_client, published, lesson)
    kinds = assert_every_link_starts_with(responses, "http://testserver")
    assert {"image", "url", "video_url", "poster_url", "subtitles_url", "original_url"} <= kinds
    assert {"audio_url", "snapshots_url", "bundle_url"} <= kinds
    # And they are real: the path of each media URL serves the file.
    detail = responses["student recording"].json()["data"]
    for url in (detail["poster_url"], detail["video_url"], detail["captions"][0]["url"]):
        assert student_client.get(urlsplit(url).path).status_code == 200
    assert responses["admin recording"].json()["data"]["original_url"].startswith("http://testserver/media/")


def test_public_base_url_wins_and_each_host_gets_its_own_cached_json(
    admin_client, student_client, published, lesson, settings
):
    other_host = student_client.get(f"/api/recordings/{published.recording_id}/", HTTP_HOST="localhost")
    assert other_host.json()["data"]["poster_url"].startswith("http://localhost/media/")
    same = student_client.get(f"/api/recordings/{published.recording_id}/")
    assert same.json()["data"]["poster_url"].startswith("http://testserver/media/")  # not the cached localhost one

    settings.PUBLIC_BASE_URL = "https://mrict.example.com"
    responses = documents(admin_client, student_client, published, lesson)
    assert_every_link_starts_with(responses, "https://mrict.example.com")


def test_behind_tls_the_scheme_is_https(student_client, published, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = student_client.get(
        f"/api/recordings/{published.recording_id}/", HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="localhost"
    )
    assert response.json()["data"]["video_url"].startswith("https://localhost/media/")


def test_absolute_urls_stay_as_they_are_and_outside_a_request_paths_stay_relative(settings):
    assert absolute_url("https://mrict.example.com/media/a.mp4") == "https://mrict.example.com/media/a.mp4"
    assert absolute_url("//cdn.example.com/a.mp4") == "//cdn.example.com/a.mp4"
    assert absolute_url(None) is None and absolute_url("") == ""
    assert absolute_url("/media/a.mp4") == "/media/a.mp4"  # a task or shell, no setting
    settings.PUBLIC_BASE_URL = "https://mrict.example.com"
    assert absolute_url("/media/a.mp4") == "https://mrict.example.com/media/a.mp4"
    assert default_storage.url("courses/x.png") == "https://mrict.example.com/media/courses/x.png"
