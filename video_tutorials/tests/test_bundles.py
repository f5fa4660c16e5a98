"""Offline bundles: built once per content version, moved into place only when complete,
refreshed when anything in them changes, older versions removed."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import LessonStep
from video_tutorials import bundles, publication, snapshot_ingest

from .conftest import make_snapshots
from .test_playback import VTT, ready_recording  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def bundle_files(settings, recording) -> list[str]:
    folder = settings.MEDIA_ROOT / "recordings" / recording.recording_id / "bundles"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def fetch(client, recording, rung="none"):
    response = client.get(f"/api/recordings/{recording.recording_id}/bundle/?rung={rung}")
    assert response.status_code == 200, response.content
    return response["ETag"].strip('"'), zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def published(ready_recording):  # noqa: F811
    publication.recording_publish(recording=ready_recording, by=None)
    ready_recording.refresh_from_db()
    return ready_recording


def test_a_bundle_fetched_twice_is_built_once_into_one_file(student_client, published, settings):
    first_hash, first = fetch(student_client, published)
    second_hash, second = fetch(student_client, published)
    assert first_hash == second_hash == json.loads(first.read("manifest.json"))["content_hash"]
    assert [name.endswith(".zip") for name in bundle_files(settings, published)] == [True]


def test_two_builds_of_one_version_are_byte_identical(published, settings, monkeypatch):
    """Concurrent builders may both finish: the last move wins, and a download resumed
    across the two (same ETag) still gets matching bytes."""
    bundle = bundles.bundle_for(recording=published, rung="240p")
    first = (settings.MEDIA_ROOT / bundle.name).read_bytes()
    monkeypatch.setattr(bundles.default_storage, "exists", lambda name: False)  # both saw "not built yet"
    again = bundles.bundle_for(recording=published, rung="240p")
    assert again.name == bundle.name and (settings.MEDIA_ROOT / again.name).read_bytes() == first
    assert len(bundle_files(settings, published)) == 1  # no partial file left behind


def test_the_content_hash_changes_with_timeline_captions_and_steps(admin_client, student_client, published, settings):
    hashes = [fetch(student_client, published)[0]]
    snapshot_ingest.snapshots_ingest(recording=published, snapshots=make_snapshots(1, start=900))
    hashes.append(fetch(student_client, published)[0])
    response = admin_client.post(
        f"/api/recordings/{published.recording_id}/captions/",
        {"language": "tw", "file": SimpleUploadedFile("c.vtt", VTT)},
        format="multipart",
    )
    assert response.status_code == 201
    hashes.append(fetch(student_client, published)[0])
    LessonStep.objects.filter(lesson=published.lesson).update(instructions="Add an h1 and an h2")
    etag, archive = fetch(student_client, published)
    hashes.append(etag)
    assert len(set(hashes)) == 4
    assert json.loads(archive.read("lesson.json"))["steps"][0]["instructions"] == "Add an h1 and an h2"
    assert len(json.loads(archive.read("timeline.json"))) == 121
    assert len(bundle_files(settings, published)) == 1  # the superseded bundles were deleted


def test_captions_are_inside_the_bundle(admin_client, student_client, published):
    admin_client.post(
        f"/api/recordings/{published.recording_id}/captions/",
        {"language": "tw", "file": SimpleUploadedFile("c.vtt", VTT)},
        format="multipart",
    )
    _, archive = fetch(student_client, published, rung="240p")
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["captions"] == [{"language": "tw", "path": "captions/tw.vtt"}]
    assert archive.read("captions/tw.vtt") == VTT
    assert manifest["video_rung"] == "240p" and archive.read("video-240p.mp4") == b"x" * 1000


def test_a_range_request_for_a_built_bundle_does_not_decode_the_timeline(student_client, published):
    etag, _ = fetch(student_client, published)
    url = f"/api/recordings/{published.recording_id}/bundle/"
    with CaptureQueriesContext(connection) as queries:
        part = student_client.get(url, HTTP_RANGE="bytes=0-99", HTTP_IF_RANGE=f'"{etag}"')
    assert part.status_code == 206
    assert not any("snapshotchunk" in query["sql"] for query in queries.captured_queries)
