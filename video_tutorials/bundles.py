"""Offline lesson bundles: one zip a phone or a service worker stores and replays
with no network (manifest.json, audio, an optional video rung, poster, captions, the
full code timeline and the lesson's steps without their answers)."""

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import orjson
from django.core.files import File
from django.core.files.storage import default_storage
from rest_framework.exceptions import ValidationError

from .models import Recording, RecordingAsset
from .selectors import timeline_window

BUNDLE_FORMAT = "mrict-lesson-bundle"
BUNDLE_VERSION = 1


@dataclass
class Bundle:
    name: str  # in default storage
    size: int
    content_hash: str


def _lesson_payload(recording: Recording) -> dict | None:
    lesson = recording.lesson
    if lesson is None:
        return None
    steps = [
        {
            "step_number": step.step_number,
            "title": step.title,
            "instructions": step.instructions,
            "starter_code": step.starter_code,
            "language": step.language,
            "is_assignment": step.is_assignment,
            "estimated_minutes": step.estimated_minutes,
        }
        for step in lesson.steps.order_by("step_number")
    ]  # expected_code is the answer: never in a student's bundle
    return {
        "lesson_id": lesson.lesson_id,
        "title": lesson.title,
        "summary": lesson.summary,
        "content": lesson.content,
        "steps": steps,
    }


def bundle_for(*, recording: Recording, rung: str) -> Bundle:
    """The bundle for this recording's current content and ``rung`` (built once, then
    reused from storage until anything in it changes)."""
    assets = list(recording.assets.all())
    video = None
    if rung != "none":
        video = next((a for a in assets if a.kind == RecordingAsset.Kind.VIDEO and a.label == rung), None)
        if video is None:
            available = sorted(a.label for a in assets if a.kind == RecordingAsset.Kind.VIDEO)
            raise ValidationError({"rung": [f"No {rung} video for this recording. Available: {available or 'none'}."]})
    audio = next((a for a in assets if a.kind == RecordingAsset.Kind.AUDIO), None)
    poster = next((a for a in assets if a.kind == RecordingAsset.Kind.POSTER), None)
    captions = sorted((a for a in assets if a.kind == RecordingAsset.Kind.CAPTION), key=lambda a: a.label)

    timeline = orjson.dumps(timeline_window(recording=recording, start=None, end=None, delta=False))
    lesson = orjson.dumps(_lesson_payload(recording))
    files: list[tuple[str, RecordingAsset]] = []
    if audio:
        files.append(("audio" + PurePosixPath(audio.file.name).suffix, audio))
    if video:
        files.append((f"video-{video.label}" + PurePosixPath(video.file.name).suffix, video))
    if poster:
        files.append(("poster" + PurePosixPath(poster.file.name).suffix, poster))
    for caption in captions:
        files.append((f"captions/{caption.label}.vtt", caption))

    entries = [
        {"path": "timeline.json", "size_bytes": len(timeline), "sha256": hashlib.sha256(timeline).hexdigest()},
        {"path": "lesson.json", "size_bytes": len(lesson), "sha256": hashlib.sha256(lesson).hexdigest()},
    ]
    # Stored media files never change in place (each transcode writes new names), so
    # their storage name and size identify their content without re-reading them.
    entries += [
        {"path": path, "size_bytes": asset.size_bytes, "source": asset.file.name, "mime_type": asset.mime_type}
        for path, asset in files
    ]
    content_hash = hashlib.sha256(orjson.dumps([recording.recording_id, rung, entries])).hexdigest()
    name = f"recordings/{recording.recording_id}/bundles/{rung}-{content_hash[:20]}.zip"
    if default_storage.exists(name):
        return Bundle(name, default_storage.size(name), content_hash)

    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "content_hash": content_hash,
        "recording": {
            "recording_id": recording.recording_id,
            "title": recording.title,
            "description": recording.description,
            "duration": recording.duration,
            "language": recording.language,
            "lesson_id": recording.lesson.lesson_id if recording.lesson else None,
        },
        "audio": files[0][0] if audio else None,
        "video": next((p for p, a in files if a is video), None) if video else None,
        "video_rung": video.label if video else None,
        "poster": next((p for p, a in files if a is poster), None) if poster else None,
        "captions": [{"language": a.label, "path": p} for p, a in files if a.kind == RecordingAsset.Kind.CAPTION],
        "timeline": "timeline.json",
        "lesson": "lesson.json",
        "snapshot_count": recording.snapshot_count,
        "files": [{k: v for k, v in entry.items() if k != "source"} for entry in entries],
    }
    handle, temp_path = tempfile.mkstemp(prefix="mrict-bundle-", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temp_path, "w") as archive:
            archive.writestr("manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2), zipfile.ZIP_DEFLATED)
            archive.writestr("timeline.json", timeline, zipfile.ZIP_DEFLATED)
            archive.writestr("lesson.json", lesson, zipfile.ZIP_DEFLATED)
            for path, asset in files:
                info = zipfile.ZipInfo(path)
                # Media is already compressed; only captions shrink further.
                is_text = asset.kind == RecordingAsset.Kind.CAPTION
                info.compress_type = zipfile.ZIP_DEFLATED if is_text else zipfile.ZIP_STORED
                with asset.file.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
        with open(temp_path, "rb") as built:
            stored = default_storage.save(name, File(built))
    finally:
        os.unlink(temp_path)
    return Bundle(stored, default_storage.size(stored), content_hash)
