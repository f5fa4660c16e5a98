"""Upload: who may, what is refused (and left nowhere on disk), what is kept."""

import pytest

from video_tutorials.models import Recording

from .conftest import upload

pytestmark = [pytest.mark.ffmpeg, pytest.mark.django_db]


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_anonymous_upload_is_refused_and_nothing_is_stored(api_client, media_dir, settings):
    response = upload(api_client, media_dir)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Recording.objects.exists() and stored_files(settings) == []


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_students_and_teachers_cannot_upload(client_for, make_user, media_dir, role):
    response = upload(client_for(make_user(role)), media_dir)
    assert response.status_code == 403
    assert not Recording.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("notes.txt", "not audio or video"),
        ("truncated.webm", "truncated"),
        ("empty.webm", "empty"),
        ("pic.png", "image"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error_and_deleted(admin_client, media_dir, settings, name, message):
    response = upload(admin_client, media_dir, name=name)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert message in body["errors"]["video_file"][0]
    assert not Recording.objects.exists() and stored_files(settings) == []


def test_oversize_upload_is_refused_with_413(admin_client, media_dir, settings):
    settings.RECORDING_MAX_UPLOAD_BYTES = 10_000
    response = upload(admin_client, media_dir)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert stored_files(settings) == []


def post_raw_file_name(client, media_dir, file_name: str):
    """A multipart upload with ``file_name`` exactly as a client could send it (Django's
    test client would strip the folders itself, hiding what the server does)."""
    boundary = "mrict-boundary"
    data = (media_dir / "lesson.webm").read_bytes()
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\n'
            f"Named {file_name}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="video_file"; filename="{file_name}"\r\n'
            "Content-Type: video/webm\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post("/api/upload/", body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize(
    ("file_name", "kept_as"),
    [
        ("../../evil-upload.webm", "evil-upload.webm"),
        ("..\\..\\evil-upload.webm", "evil-upload.webm"),
        ("/etc/cron.d/evil-upload.webm", "evil-upload.webm"),
        ("intro..v2.webm", "intro..v2.webm"),
    ],
)
def test_folders_in_a_file_name_are_dropped_and_nothing_lands_outside_media_root(
    admin_client, media_dir, settings, file_name, kept_as
):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    targets = [settings.MEDIA_ROOT / "../../evil-upload.webm", settings.MEDIA_ROOT.parent / "evil-upload.webm"]
    response = post_raw_file_name(admin_client, media_dir, file_name)
    assert response.status_code == 201, response.content
    recording = Recording.objects.get()
    assert recording.original_name == kept_as
    assert recording.original.name == f"recordings/{recording.recording_id}/original.webm"
    assert not any(target.exists() for target in targets)
    outside = [p for p in stored_files(settings) if not p.resolve().is_relative_to(settings.MEDIA_ROOT.resolve())]
    assert outside == []


@pytest.mark.parametrize(
    ("file_name", "code", "errors"),
    [
        # Django's parser drops a part whose name is nothing once folders are removed.
        ("..", "parse_error", {}),
        (".", "parse_error", {}),
        ("../..", "parse_error", {}),
        ("a/..", "parse_error", {}),
        # What gets past it is refused by the upload itself.
        ("...", "invalid", {"video_file": ["Send a plain file name, without folders or '..'."]}),
        (". .", "invalid", {"video_file": ["Send a plain file name, without folders or '..'."]}),
    ],
)
def test_a_file_name_that_is_only_a_path_trick_is_refused(admin_client, media_dir, settings, file_name, code, errors):
    response = post_raw_file_name(admin_client, media_dir, file_name)
    assert response.status_code == 400, response.content
    body = response.json()
    assert (set(body), body["code"], body["errors"]) == ({"detail", "code", "errors"}, code, errors)
    assert not Recording.objects.exists() and stored_files(settings) == []


def test_missing_media_tools_are_503_and_store_nothing(admin_client, media_dir, settings):
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    response = upload(admin_client, media_dir)
    assert response.status_code == 503, response.content
    assert response.json() == {
        "detail": "Media tools are unavailable right now; the file was not stored.",
        "code": "service_unavailable",
        "errors": {},
    }
    assert not Recording.objects.exists() and stored_files(settings) == []


def test_a_hung_ffprobe_at_upload_is_503_and_stores_nothing(admin_client, media_dir, settings, monkeypatch):
    import subprocess

    def hung(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs.get("timeout"))

    monkeypatch.setattr("video_tutorials.transcoding.subprocess.run", hung)
    response = upload(admin_client, media_dir)
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert not Recording.objects.exists() and stored_files(settings) == []


def test_audio_only_upload_gets_audio_track_and_no_video(admin_client, media_dir):
    response = upload(admin_client, media_dir, name="voice.ogg", title="Voice only")
    assert response.status_code == 201, response.content
    recording = Recording.objects.get()
    assert recording.status == "ready" and recording.has_video is False
    assert list(recording.assets.values_list("kind", flat=True)) == ["audio"]
    assert recording.original  # the original is kept


def test_bad_form_fields_are_400_not_500(admin_client, media_dir):
    for fields in ({"duration": "abc"}, {"duration": "-3"}, {"language": "../../x"}, {"lesson": "LSN-NOPE"}):
        response = upload(admin_client, media_dir, **fields)
        assert response.status_code == 400, (fields, response.content)
    assert admin_client.post("/api/upload/", {"title": "no file"}, format="multipart").status_code == 400
    assert admin_client.post("/api/upload/", {"title": "json"}, format="json").status_code == 415
