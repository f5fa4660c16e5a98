"""Who sees what, conditional GETs, gzip, captions, lesson media and served files."""

import gzip

import orjson
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from video_tutorials import publication, snapshot_ingest, transcode_jobs, transcoding
from video_tutorials.models import Recording, RecordingAsset
from video_tutorials.selectors import lesson_media_for
from video_tutorials.serializers import LessonVideoSerializer

from .conftest import make_snapshots

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_recording(lesson):
    """A transcoded recording built without ffmpeg (the assets are placeholders)."""
    recording = Recording.objects.create(
        title="Ready one", lesson=lesson, status=Recording.Status.READY, duration=90.0, has_video=True
    )
    for kind, label, height, name in (
        ("video", "240p", 240, "240p.mp4"),
        ("video", "360p", 360, "360p.mp4"),
        ("audio", "audio", 0, "audio.webm"),
        ("poster", "poster", 0, "poster.jpg"),
    ):
        stored = default_storage.save(f"recordings/{recording.recording_id}/media/r1/{name}", ContentFile(b"x" * 1000))
        RecordingAsset.objects.create(
            recording=recording,
            kind=kind,
            label=label,
            height=height,
            file=stored,
            mime_type="video/mp4",
            size_bytes=1000,
        )
    snapshot_ingest.snapshots_ingest(recording=recording, snapshots=make_snapshots(120))
    recording.refresh_from_db()
    return recording


def test_students_never_see_unpublished_recordings_or_snapshots(student_client, ready_recording):
    key = ready_recording.recording_id
    for url in (f"/api/recordings/{key}/", f"/api/recordings/{key}/timeline/", f"/api/recordings/{key}/bundle/"):
        assert student_client.get(url).status_code == 404, url
    assert student_client.get("/api/recordings/").json()["data"]["count"] == 0


def test_students_cannot_publish_or_retry_and_teachers_read_but_cannot_publish(
    client_for, make_user, admin_client, ready_recording
):
    key = ready_recording.recording_id
    student, teacher = client_for(make_user("student")), client_for(make_user("teacher"))
    for client in (student, teacher):
        for action in ("publish", "unpublish", "retry"):
            assert client.post(f"/api/recordings/{key}/{action}/").status_code == 403
    assert admin_client.post(f"/api/recordings/{key}/publish/").status_code == 200
    assert teacher.get(f"/api/recordings/{key}/").status_code == 200
    assert student.get("/api/recordings/").json()["data"]["results"][0]["recording_id"] == key


def test_publishing_needs_a_ready_recording(admin_client):
    recording = Recording.objects.create(title="raw", status=Recording.Status.PROCESSING)
    response = admin_client.post(f"/api/recordings/{recording.recording_id}/publish/")
    assert response.status_code == 400 and response.json()["code"] == "not_ready"


def test_unpublished_lesson_hides_its_published_recording(student_client, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    ready_recording.lesson.status = "draft"
    ready_recording.lesson.save()
    assert student_client.get(f"/api/recordings/{ready_recording.recording_id}/").status_code == 404


def test_detail_answers_304_and_changes_etag_when_content_changes(student_client, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    url = f"/api/recordings/{ready_recording.recording_id}/"
    first = student_client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and first["Last-Modified"]
    assert student_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert student_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    snapshot_ingest.snapshots_ingest(recording=ready_recording, snapshots=make_snapshots(1, start=500))
    again = student_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_detail_is_gzipped_when_accepted(student_client, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    response = student_client.get(f"/api/recordings/{ready_recording.recording_id}/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b'"snapshots"' in gzip.decompress(response.content)
    plain = student_client.get(f"/api/recordings/{ready_recording.recording_id}/")
    assert not plain.has_header("Content-Encoding")
    assert plain.json() == orjson.loads(gzip.decompress(response.content))
    assert plain["ETag"] == response["ETag"]


def test_a_client_that_refuses_gzip_gets_plain_json(student_client, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    url = f"/api/recordings/{ready_recording.recording_id}/timeline/"
    response = student_client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert not response.has_header("Content-Encoding")
    assert response.json()["data"]["snapshots"]


def test_audio_mode_leaves_out_video(student_client, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    data = student_client.get(f"/api/recordings/{ready_recording.recording_id}/?mode=audio").json()["data"]
    assert data["renditions"] == [] and data["video_url"] is None and data["audio"]["rung"] == "audio"
    assert len(data["snapshots"]) == 120


@pytest.mark.parametrize(
    "query",
    [
        "from=",
        "mode=",
        "encoding=",
        "from=abc",
        "from=-1",
        "to=5&from=9",
        "encoding=zip",
        "from=nan",
        "to=inf",
        "mode=hd",
    ],
)
def test_bad_window_is_400(admin_client, ready_recording, query):
    response = admin_client.get(f"/api/recordings/{ready_recording.recording_id}/?{query}")
    assert response.status_code == 400, response.content


def test_timeline_endpoint_returns_one_window(admin_client, ready_recording):
    data = admin_client.get(f"/api/recordings/{ready_recording.recording_id}/timeline/?from=59&to=61").json()["data"]
    assert [s["timestamp"] for s in data["snapshots"]] == [59.0, 60.0, 61.0]
    assert all("code" in s for s in data["snapshots"])


def test_admins_list_everything_with_filters(admin_client, ready_recording):
    Recording.objects.create(title="failed one", status=Recording.Status.FAILED, error="boom")
    assert admin_client.get("/api/recordings/").json()["data"]["count"] == 2
    failed = admin_client.get("/api/recordings/?status=failed").json()["data"]["results"]
    assert [r["error"] for r in failed] == ["boom"]
    assert admin_client.get("/api/recordings/?published=true").json()["data"]["count"] == 0


def test_bundle_supports_range_requests(student_client, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    url = f"/api/recordings/{ready_recording.recording_id}/bundle/"
    whole = student_client.get(url)
    body = b"".join(whole.streaming_content)
    assert whole["Accept-Ranges"] == "bytes" and int(whole["Content-Length"]) == len(body)
    part = student_client.get(url, HTTP_RANGE="bytes=100-199", HTTP_IF_RANGE=whole["ETag"])
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(body)}"
    assert b"".join(part.streaming_content) == body[100:200]
    assert student_client.get(url, HTTP_RANGE=f"bytes={len(body)}-").status_code == 416
    assert student_client.get(url, HTTP_IF_NONE_MATCH=whole["ETag"]).status_code == 304
    assert student_client.get(url + "?rung=1080p").status_code == 400


VTT = b"WEBVTT\n\n00:00.000 --> 00:02.500\nAkwaaba! Welcome.\n\n00:01:02.000 --> 00:01:04.000\nHTML\n"


def test_captions_are_validated_and_served(admin_client, student_client, ready_recording):
    from django.core.files.uploadedfile import SimpleUploadedFile

    key = ready_recording.recording_id
    for bad in (b"not vtt", b"WEBVTT\n\n00:05.000 --> 00:01.000\nbackwards\n", b"\xff\xfe", b"WEBVTT\n"):
        response = admin_client.post(
            f"/api/recordings/{key}/captions/",
            {"language": "en", "file": SimpleUploadedFile("c.vtt", bad)},
            format="multipart",
        )
        assert response.status_code == 400, bad
    response = admin_client.post(
        f"/api/recordings/{key}/captions/",
        {"language": "tw", "file": SimpleUploadedFile("c.vtt", VTT)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    url = response.json()["data"]["url"]
    served = student_client.get(url)
    assert served.status_code == 200 and served["Content-Type"].startswith("text/vtt")
    assert b"".join(served.streaming_content) == VTT
    assert student_client.post(
        f"/api/recordings/{key}/captions/",
        {"language": "en", "file": SimpleUploadedFile("c.vtt", VTT)},
        format="multipart",
    ).status_code in (403, 404)


def test_media_files_are_served_with_ranges_and_never_outside_media_root(api_client, ready_recording, settings):
    asset = ready_recording.assets.get(label="360p")
    response = api_client.get(asset.file.url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    (settings.MEDIA_ROOT / "page.html").write_text("<script>alert(1)</script>")
    html = api_client.get("/media/page.html")
    assert html["Content-Type"] == "application/octet-stream" and html["Content-Disposition"].startswith("attachment")
    (settings.MEDIA_ROOT.parent / "secret.txt").write_text("secret")
    for path in ("/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media//etc/passwd", "/media/recordings/"):
        assert api_client.get(path).status_code == 404, path


def test_lesson_media_for_students_and_admins_in_constant_queries(
    django_assert_max_num_queries, ready_recording, student, admin_user, lesson
):
    Recording.objects.create(title="draft", lesson=lesson, status=Recording.Status.UPLOADED)
    with django_assert_max_num_queries(2):
        for_student = lesson_media_for(lessons=[lesson], user=student)
    assert for_student == {lesson.pk: []}
    publication.recording_publish(recording=ready_recording, by=None)
    videos = LessonVideoSerializer(lesson_media_for(lessons=[lesson], user=student)[lesson.pk], many=True).data
    assert [v["recording_id"] for v in videos] == [ready_recording.recording_id]
    assert videos[0]["video_url"].endswith("360p.mp4") and len(videos[0]["renditions"]) == 2
    assert len(lesson_media_for(lessons=[lesson], user=admin_user)[lesson.pk]) == 2


def test_publishing_notifies_enrolled_students(monkeypatch, ready_recording):
    calls = []
    monkeypatch.setattr("courses.services.notify_enrolled_students", lambda **kw: calls.append(kw))
    publication.recording_publish(recording=ready_recording, by=None)
    publication.recording_publish(recording=ready_recording, by=None)  # already published: no second notice
    assert len(calls) == 1 and calls[0]["course"] == ready_recording.lesson.module.course


def test_publishing_creates_a_notification_for_each_enrolled_student(ready_recording, student, make_user):
    from courses.models import Enrollment
    from notifications.models import Notification

    Enrollment.objects.create(user=student, course=ready_recording.lesson.module.course)
    make_user("student")  # not enrolled: not told
    publication.recording_publish(recording=ready_recording, by=None)
    notice = Notification.objects.get()
    assert notice.recipient == student and notice.kind == "recording_published"
    assert notice.data["recording_id"] == ready_recording.recording_id


@pytest.mark.parametrize("key", ["²", "٣", "9" * 30, "REC-%00", "0"])
def test_odd_recording_ids_are_404_not_500(admin_client, key):
    expected = 400 if "%00" in key else 404  # a NUL byte is refused before any lookup
    assert admin_client.get(f"/api/recordings/{key}/").status_code == expected
    assert admin_client.get("/api/recordings/?page=99999999999999999999").status_code == 400


def _reads_the_timeline(client, url) -> bool:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    return any("video_tutorials_snapshotchunk" in query["sql"] for query in queries.captured_queries)


def test_publishing_renders_the_students_json_before_anyone_asks(
    admin_client, student_client, ready_recording, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    url = f"/api/recordings/{ready_recording.recording_id}/"
    # Through the API: the JSON is rendered with the links of the host the admin used.
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(f"{url}publish/").status_code == 200
    # The class's first requests are served from the cache: no timeline decoding.
    assert not _reads_the_timeline(student_client, url)
    assert not _reads_the_timeline(student_client, url + "?mode=audio")
    assert not _reads_the_timeline(student_client, url + "timeline/?encoding=delta")
    cache.clear()
    assert _reads_the_timeline(student_client, url)  # cold: rendered on request


def test_warming_an_unpublished_recording_renders_nothing(ready_recording):
    from video_tutorials.rendered import warm

    assert warm(ready_recording.pk) == 0
    publication.recording_publish(recording=ready_recording, by=None)
    assert warm(ready_recording.pk) == 4


# --- every visible change reaches the cached JSON -------------------------------------


def admin_detail(admin_client, recording) -> dict:
    return admin_client.get(f"/api/recordings/{recording.recording_id}/").json()["data"]


def test_admin_detail_follows_transcode_start_progress_failure_and_retry(admin_client, monkeypatch):
    monkeypatch.setattr("core.tasks.enqueue", lambda task, *args: None)  # retry queues; nothing runs
    recording = Recording.objects.create(title="t", status=Recording.Status.UPLOADED, original="recordings/t/o.webm")
    seen = []

    def transcode(source, workdir, info, *, on_progress, declared_duration=None):
        seen.append(admin_detail(admin_client, recording))  # started
        on_progress(40)
        seen.append(admin_detail(admin_client, recording))
        raise transcoding.TranscodeError("ffmpeg: moov atom not found")

    assert admin_detail(admin_client, recording)["status"] == "uploaded"  # cached now
    monkeypatch.setattr(transcoding, "probe", lambda path: transcoding.ProbeResult(has_video=True))
    monkeypatch.setattr(transcoding, "transcode", transcode)
    monkeypatch.setattr(transcode_jobs._LocalSource, "__enter__", lambda self: "/nowhere.webm")
    transcode_jobs.recording_transcode(recording_pk=recording.pk)
    assert [(d["status"], d["progress"]) for d in seen] == [("processing", 0), ("processing", 40)]
    failed = admin_detail(admin_client, recording)
    assert (failed["status"], failed["error"]) == ("failed", "ffmpeg: moov atom not found")
    assert admin_client.post(f"/api/recordings/{recording.recording_id}/retry/").status_code == 200
    retried = admin_detail(admin_client, recording)
    assert (retried["status"], retried["error"], retried["progress"]) == ("uploaded", "", 0)


@pytest.fixture
def admin_site_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_edit_in_django_admin_reaches_students_at_once(admin_site_client, student_client, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    url = f"/api/recordings/{ready_recording.recording_id}/"
    before = student_client.get(url)
    assert before.json()["data"]["title"] == "Ready one"
    response = admin_site_client.post(
        f"/admin/video_tutorials/recording/{ready_recording.pk}/change/",
        {
            "title": "Ready one, corrected",
            "description": "Now with a description",
            "language": "tw",
            "lesson": ready_recording.lesson_id,
            "declared_duration": "",
            "original_name": "",
            "uploaded_by": "",
            "assets-TOTAL_FORMS": "0",
            "assets-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = student_client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    data = after.json()["data"]
    assert (data["title"], data["description"], data["language"]) == (
        "Ready one, corrected",
        "Now with a description",
        "tw",
    )


def test_if_modified_since_sees_a_change_of_the_lesson(student_client, ready_recording):
    from datetime import timedelta

    from courses.models import Lesson

    publication.recording_publish(recording=ready_recording, by=None)
    url = f"/api/recordings/{ready_recording.recording_id}/"
    first = student_client.get(url)
    assert student_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    later = ready_recording.lesson.updated_at + timedelta(minutes=5)
    Lesson.objects.filter(pk=ready_recording.lesson_id).update(title="Renamed lesson", updated_at=later)
    again = student_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and again.json()["data"]["lesson_title"] == "Renamed lesson"
    assert student_client.get(url, HTTP_IF_MODIFIED_SINCE=again["Last-Modified"]).status_code == 304


# --- students are told once, and only about what they can open ------------------------


@pytest.fixture
def notices(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    monkeypatch.setattr("courses.services.notify_enrolled_students", lambda **kw: calls.append(kw))
    return calls


@pytest.mark.parametrize("hidden", ["lesson", "module", "course"])
def test_publishing_in_a_lesson_students_cannot_open_tells_nobody_until_they_can(notices, ready_recording, hidden):
    lesson = ready_recording.lesson
    part = {"lesson": lesson, "module": lesson.module, "course": lesson.module.course}[hidden]
    part.status = "draft"
    part.save()
    publication.recording_publish(recording=ready_recording, by=None)
    assert notices == []
    part.status = "published"
    part.save()
    publication.recording_publish(recording=ready_recording, by=None)  # the admin publishes again once it is open
    assert len(notices) == 1


def test_unpublishing_and_publishing_again_tells_students_once(notices, ready_recording):
    publication.recording_publish(recording=ready_recording, by=None)
    publication.recording_unpublish(recording=ready_recording, by=None)
    publication.recording_publish(recording=ready_recording, by=None)
    assert len(notices) == 1
    ready_recording.refresh_from_db()
    assert ready_recording.is_published and ready_recording.notified_at is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_tell_students_once(notices, lesson):
    import threading

    from django.db import connection

    recording = Recording.objects.create(title="Race", lesson=lesson, status=Recording.Status.READY)
    start = threading.Barrier(4)
    errors = []

    def publish():
        try:
            start.wait(5)
            publication.recording_publish(recording=recording, by=None)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == [] and len(notices) == 1
