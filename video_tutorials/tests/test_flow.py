"""The whole flow through HTTP with real ffmpeg: upload → snapshots → transcode →
publish → a student fetches detail, a window and the bundle, and rebuilds every snapshot."""

import io
import json
import zipfile

import pytest

from video_tutorials.models import Recording, RecordingAsset
from video_tutorials.timeline import apply_delta

from .conftest import make_snapshots, upload

pytestmark = [pytest.mark.ffmpeg, pytest.mark.django_db]


def rebuild(snapshots: list[dict]) -> list[str]:
    codes, previous = [], None
    for item in snapshots:
        previous = item["code"] if "code" in item else apply_delta(previous, item["delta"])
        codes.append(previous)
    return codes


def test_admin_records_and_student_replays_everything_exactly(admin_client, student_client, media_dir, lesson):
    # 0..37.25 s: within a minute of the 3-second take's end (later ones would be refused).
    sent = make_snapshots(150, step=0.25)
    # The recorder sends the first batches before the upload, linked by title…
    response = admin_client.post(
        "/api/save-code-snapshots/", {"title": "Lesson one", "batch_id": "b1", "snapshots": sent[:70]}, format="json"
    )
    assert response.status_code == 200, response.content
    early_id = response.json()["data"]["recording_id"]
    response = upload(admin_client, media_dir, lesson=lesson.lesson_id, duration="3.0")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["recording_id"] == early_id
    assert data["status"] == "ready"  # eager task in tests
    # …and the rest after it, by id, one re-sent after a "network cut".
    for batch_id, batch in (("b2", sent[70:120]), ("b3", sent[120:]), ("b2", sent[70:120])):
        response = admin_client.post(
            f"/api/recordings/{early_id}/snapshots/", {"batch_id": batch_id, "snapshots": batch}, format="json"
        )
        assert response.status_code == 200, response.content
    recording = Recording.objects.get(recording_id=early_id)
    assert recording.snapshot_count == 150
    labels = sorted(recording.assets.values_list("kind", "label"))
    assert labels == [("audio", "audio"), ("poster", "poster"), ("video", "240p"), ("video", "360p")]  # no upscale

    assert student_client.get(f"/api/recordings/{early_id}/").status_code == 404
    assert admin_client.post(f"/api/recordings/{early_id}/publish/").status_code == 200

    detail = student_client.get(f"/api/recordings/{early_id}/")
    assert detail.status_code == 200
    body = detail.json()["data"]
    assert [s["code"] for s in body["snapshots"]] == [s["code"] for s in sent]
    assert body["snapshots"][5]["cursorPosition"] == sent[5]["cursorPosition"]
    assert {r["rung"] for r in body["renditions"]} == {"240p", "360p"}
    assert body["audio"]["size_bytes"] > 0 and body["poster_url"]
    assert body["lesson_id"] == lesson.lesson_id and body["original_url"] is None

    window = student_client.get(f"/api/recordings/{early_id}/?from=2.5&to=19.875&encoding=delta").json()["data"]
    assert [s["timestamp"] for s in window["snapshots"]] == [i * 0.25 for i in range(10, 80)]
    assert rebuild(window["snapshots"]) == [s["code"] for s in sent[10:80]]
    assert any("delta" in s for s in window["snapshots"])

    response = student_client.get(f"/api/recordings/{early_id}/bundle/?rung=240p")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["video_rung"] == "240p" and manifest["content_hash"] == response["ETag"].strip('"')
    assert [s["code"] for s in json.loads(archive.read(manifest["timeline"]))] == [s["code"] for s in sent]
    lesson_json = json.loads(archive.read("lesson.json"))
    assert "expected_code" not in lesson_json["steps"][0]
    assert set(archive.namelist()) >= {"manifest.json", "audio.webm", "video-240p.mp4", "poster.jpg"}
    assert RecordingAsset.objects.filter(recording=recording, kind="video").count() == 2
