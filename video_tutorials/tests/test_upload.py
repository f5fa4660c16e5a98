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


def test_path_parts_in_the_file_name_never_leave_media_root(admin_client, media_dir, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (media_dir / "lesson.webm").read_bytes()
    evil = SimpleUploadedFile("../../../../tmp/evil.webm", data, content_type="video/webm")
    response = admin_client.post("/api/upload/", {"video_file": evil, "title": "x"}, format="multipart")
    assert response.status_code in (201, 400)
    for path in stored_files(settings):
        assert path.resolve().is_relative_to(settings.MEDIA_ROOT.resolve())
    if response.status_code == 201:
        recording = Recording.objects.get()
        assert recording.original.name.startswith(f"recordings/{recording.recording_id}/original")
        assert ".." not in recording.original_name and "/" not in recording.original_name


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
