"""The disk fills up during an upload: a clear 507, no half-written file left behind,
and the recording rows exactly as they were."""

import os
import subprocess

import pytest

from conftest import need_service
from video_tutorials.models import Recording
from video_tutorials.tests.conftest import media_dir, upload  # noqa: F401  (generated clips)

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
