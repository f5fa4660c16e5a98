"""Storage fails during an upload: a full disk is a clear 507; any other failure (EIO,
a read-only disk, S3 refusing or unreachable) a clear 503; either way no half-written
file is left behind and the recording rows are exactly as they were."""

import errno
import os
import subprocess

import pytest
from botocore.config import Config
from django.core.files.storage import FileSystemStorage
from moto import mock_aws

from conftest import free_port, need_service
from core.errors import ServiceUnavailable
from video_tutorials import publication, transcode_jobs, transcoding
from video_tutorials.models import Recording, RecordingAsset
from video_tutorials.tests.conftest import lesson, media_dir, upload  # noqa: F401  (fixtures, generated clips)

pytestmark = [pytest.mark.ffmpeg, pytest.mark.django_db]


@pytest.fixture
def tiny_disk(tmp_path, settings):
    """MEDIA_ROOT on a real 96 KB filesystem (tmpfs): smaller than the clip."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount_point)], capture_output=True)
    if result.returncode != 0:
        need_service(f"mounting a small tmpfs needs root: {result.stderr.decode().strip()}")
    settings.MEDIA_ROOT = mount_point
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def files_under(folder) -> list[str]:
    return [os.path.join(root, name) for root, _, names in os.walk(folder) for name in names]


def test_disk_full_during_upload_is_507_and_leaves_nothing_behind(admin_client, tiny_disk, media_dir):
    assert (media_dir / "lesson.webm").stat().st_size > 96 * 1024
    response = upload(admin_client, media_dir, title="Too big for the disk")
    assert response.status_code == 507, response.content
    body = response.json()
    assert body["code"] == "insufficient_storage" and body["detail"]
    assert files_under(tiny_disk) == []
    assert not Recording.objects.exists()


def test_disk_full_keeps_a_recording_whose_snapshots_came_first(admin_client, tiny_disk, media_dir):
    early = admin_client.post(
        "/api/save-code-snapshots/",
        {"title": "Early lesson", "snapshots": [{"code": "<h1>Hi</h1>", "timestamp": 1.0}]},
        format="json",
    )
    assert early.status_code == 200, early.content
    before = Recording.objects.values().get()
    response = upload(admin_client, media_dir, title="Early lesson")
    assert response.status_code == 507
    assert Recording.objects.values().get() == before
    assert files_under(tiny_disk) == []


def mount_tmpfs(mount_point, options: str) -> None:
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)], capture_output=True)
    if result.returncode != 0:
        need_service(f"mounting a tmpfs needs root: {result.stderr.decode().strip()}")


class FailsMidWrite:
    """The device fails after the first 64 KB reached the file: EIO, half a file on disk."""

    def __init__(self, content):
        self.content = content

    def chunks(self, chunk_size=None):
        chunks = self.content.chunks(64 * 1024)
        yield next(chunks)
        raise OSError(errno.EIO, os.strerror(errno.EIO))


def s3_storage(**options) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "mrict-media",
            "access_key": "test",
            "secret_key": "test",
            "region_name": "us-east-1",
            "client_config": Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1),
            **options,
        },
    }


@pytest.fixture(params=["read-only disk", "EIO mid-write", "S3 bucket missing", "S3 unreachable"])
def failing_storage(request, tmp_path, settings, monkeypatch):
    """Storage that fails in one of the ways that are not a full disk; yields the local
    folder that must stay empty."""
    folder = tmp_path / "storage"
    folder.mkdir()
    settings.MEDIA_ROOT = folder
    if request.param == "read-only disk":  # a real EROFS from the kernel
        mount_tmpfs(folder, "size=1m,ro")
        yield folder
        subprocess.run(["umount", str(folder)], check=False)
        return
    if request.param == "EIO mid-write":
        real_save = FileSystemStorage._save
        monkeypatch.setattr(
            FileSystemStorage, "_save", lambda self, name, content: real_save(self, name, FailsMidWrite(content))
        )
        yield folder
        return
    if request.param == "S3 bucket missing":  # botocore ClientError (NoSuchBucket)
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
        with mock_aws():
            yield folder
        return
    # botocore BotoCoreError (EndpointConnectionError): nothing listens there.
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(endpoint_url=f"http://127.0.0.1:{free_port()}")}
    yield folder


def test_storage_failure_during_upload_is_503_and_leaves_nothing_behind(admin_client, failing_storage, media_dir):
    early = admin_client.post(
        "/api/save-code-snapshots/",
        {"title": "Early lesson", "snapshots": [{"code": "<h1>Hi</h1>", "timestamp": 1.0}]},
        format="json",
    )
    assert early.status_code == 200, early.content
    before = Recording.objects.values().get()
    response = upload(admin_client, media_dir, title="Early lesson")
    assert response.status_code == 503, response.content
    assert response.json() == {
        "detail": "File storage is unavailable right now. Try again in a minute.",
        "code": "service_unavailable",
        "errors": {},
    }
    assert Recording.objects.values().get() == before
    assert files_under(failing_storage) == []
    assert upload(admin_client, media_dir, title="A new lesson").status_code == 503
    assert Recording.objects.count() == 1 and files_under(failing_storage) == []


@pytest.mark.django_db
def test_storage_failure_while_saving_renditions_removes_the_runs_files(settings, monkeypatch, tmp_path):
    recording = Recording.objects.create(title="t", status="processing", original="recordings/t/original.webm")
    outputs = []
    for label in ("240p", "360p"):
        path = tmp_path / f"{label}.mp4"
        path.write_bytes(b"x" * 200_000)
        outputs.append(transcoding.Output("video", label, path, "video/mp4"))
    real_save = FileSystemStorage._save

    def second_file_fails(self, name, content):
        return real_save(self, name, FailsMidWrite(content) if "360p" in name else content)

    monkeypatch.setattr(FileSystemStorage, "_save", second_file_fails)
    with pytest.raises(ServiceUnavailable):
        transcode_jobs.assets_replace(recording=recording, outputs=outputs, duration=3.0)
    assert files_under(settings.MEDIA_ROOT) == [] and not RecordingAsset.objects.exists()


def test_disk_full_while_building_a_bundle_is_507_and_leaves_no_bundle(student_client, tiny_disk, lesson):
    """The bundle is written under a temporary name and moved into place only when whole:
    a full disk leaves nothing a later request could take for a finished bundle."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    recording = Recording.objects.create(title="Offline", lesson=lesson, status=Recording.Status.READY)
    for kind, label, size in (("audio", "audio", 45_000), ("poster", "poster", 5_000)):
        name = default_storage.save(
            f"recordings/{recording.recording_id}/media/{label}.bin", ContentFile(os.urandom(size))
        )
        RecordingAsset.objects.create(
            recording=recording, kind=kind, label=label, file=name, mime_type="audio/webm", size_bytes=size
        )
    publication.recording_publish(recording=recording, by=None)
    media_before = sorted(files_under(tiny_disk))

    response = student_client.get(f"/api/recordings/{recording.recording_id}/bundle/")
    assert response.status_code == 507, response.content
    assert response.json()["code"] == "insufficient_storage"
    assert sorted(files_under(tiny_disk)) == media_before  # no partial, no final bundle
