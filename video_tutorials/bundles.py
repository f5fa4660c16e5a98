"""Offline lesson bundles: one zip a phone or a service worker stores and replays
with no network (manifest.json, audio, an optional video rung, poster, captions, the
full code timeline and the lesson's steps without their answers)."""

import hashlib
import logging
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import orjson
from django.core.files import File
from django.core.files.storage import default_storage
from rest_framework.exceptions import ValidationError

from courses.serializers import StudentStepSerializer

from .models import Recording, RecordingAsset
from .selectors import timeline_window
from .storage import STORAGE_ERRORS, storage_discard, storage_failure, storage_save

logger = logging.getLogger(__name__)

BUNDLE_FORMAT = "mrict-lesson-bundle"
BUNDLE_VERSION = 1


@dataclass
class Bundle:
    name: str  # in default storage
    size: int
    content_hash: str

    def open(self):
        return default_storage.open(self.name, "rb")


class BundleStepSerializer(StudentStepSerializer):
    """A step as a student's bundle stores it: the student's step (never its answer), without
    the curriculum ids (the bundle format predates them)."""

    class Meta(StudentStepSerializer.Meta):
        fields = [name for name in StudentStepSerializer.Meta.fields if name != "curriculum_ids"]


def _lesson_payload(recording: Recording) -> dict | None:
    lesson = recording.lesson
    if lesson is None:
        return None
    steps = BundleStepSerializer(lesson.steps.order_by("step_number"), many=True).data
    return {
        "lesson_id": lesson.lesson_id,
        "title": lesson.title,
        "summary": lesson.summary,
        "content": lesson.content,
        "steps": steps,
    }


# Every entry carries this date: a rebuild of the same content is byte-identical, so a
# download resumed (Range + If-Range) across a rebuild still gets matching bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _entry(path: str, *, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _bundle_files(recording: Recording, rung: str) -> tuple[RecordingAsset | None, list[tuple[str, RecordingAsset]]]:
    """The chosen video and every media file of the bundle, with its path in the zip."""
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
    files: list[tuple[str, RecordingAsset]] = []
    if audio:
        files.append(("audio" + PurePosixPath(audio.file.name).suffix, audio))
    if video:
        files.append((f"video-{video.label}" + PurePosixPath(video.file.name).suffix, video))
    if poster:
        files.append(("poster" + PurePosixPath(poster.file.name).suffix, poster))
    for caption in captions:
        files.append((f"captions/{caption.label}.vtt", caption))
    return video, files


def _folder(recording: Recording) -> str:
    return f"recordings/{recording.recording_id}/bundles"


def bundle_for(*, recording: Recording, rung: str) -> Bundle:
    """The bundle for this recording's current content and ``rung``: built once, then
    served from storage until anything in it changes.

    Its content hash needs no timeline decoding (a Range request must stay cheap): the
    recording's content_version changes with every change of its timeline, media,
    captions and texts, and the lesson's part (steps without answers) is small enough to
    hash as it is. The zip is written under a temporary name and moved into place when
    complete, so a reader never sees half a bundle; concurrent builders of one version
    write identical bytes, and the last move simply wins."""
    video, files = _bundle_files(recording, rung)
    lesson = orjson.dumps(_lesson_payload(recording))
    key = [BUNDLE_VERSION, recording.recording_id, recording.content_version, rung, hashlib.sha256(lesson).hexdigest()]
    content_hash = hashlib.sha256(orjson.dumps(key)).hexdigest()
    name = f"{_folder(recording)}/{rung}-v{recording.content_version}-{content_hash[:20]}.zip"
    try:
        if default_storage.exists(name):
            return Bundle(name, default_storage.size(name), content_hash)
    except STORAGE_ERRORS as exc:
        raise storage_failure(exc, name) from exc
    _build(recording=recording, name=name, content_hash=content_hash, video=video, files=files, lesson=lesson)
    _delete_superseded(recording=recording, current=PurePosixPath(name).name)
    return Bundle(name, default_storage.size(name), content_hash)


def _build(*, recording: Recording, name: str, content_hash: str, video, files, lesson: bytes) -> None:
    timeline = orjson.dumps(timeline_window(recording=recording, start=None, end=None, delta=False))
    entries = [
        {"path": "timeline.json", "size_bytes": len(timeline), "sha256": hashlib.sha256(timeline).hexdigest()},
        {"path": "lesson.json", "size_bytes": len(lesson), "sha256": hashlib.sha256(lesson).hexdigest()},
    ] + [{"path": path, "size_bytes": asset.size_bytes, "mime_type": asset.mime_type} for path, asset in files]
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
        "audio": next((p for p, a in files if a.kind == RecordingAsset.Kind.AUDIO), None),
        "video": next((p for p, a in files if a is video), None),
        "video_rung": video.label if video else None,
        "poster": next((p for p, a in files if a.kind == RecordingAsset.Kind.POSTER), None),
        "captions": [{"language": a.label, "path": p} for p, a in files if a.kind == RecordingAsset.Kind.CAPTION],
        "timeline": "timeline.json",
        "lesson": "lesson.json",
        "snapshot_count": recording.snapshot_count,
        "files": entries,
    }
    handle, temp_path = tempfile.mkstemp(prefix="mrict-bundle-", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temp_path, "w") as archive:
            archive.writestr(_entry("manifest.json", compress=True), orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
            archive.writestr(_entry("timeline.json", compress=True), timeline)
            archive.writestr(_entry("lesson.json", compress=True), lesson)
            for path, asset in files:
                # Media is already compressed; only captions shrink further.
                info = _entry(path, compress=asset.kind == RecordingAsset.Kind.CAPTION)
                with asset.file.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
        with open(temp_path, "rb") as built:
            _storage_put(name, File(built))
    except STORAGE_ERRORS as exc:  # the local temp disk, or reading a stored asset
        raise storage_failure(exc, name) from exc
    finally:
        os.unlink(temp_path)


def _storage_put(name: str, content) -> None:
    """Store ``content`` at exactly ``name``, all or nothing. On a local disk: written
    under a temporary name next to it (507/503 and nothing left on failure), then renamed
    over ``name`` (atomic; a reader streaming an older copy keeps its open file). An
    object store's PUT already appears whole or not at all."""
    try:
        final_path = default_storage.path(name)
    except NotImplementedError:
        default_storage.save(name, content)  # S3 backends overwrite by default: the same bytes
        return
    partial = storage_save(f"{PurePosixPath(name).parent}/partial-{uuid.uuid4().hex}.zip.tmp", content)
    try:
        os.replace(default_storage.path(partial), final_path)
    except OSError:
        storage_discard(partial)
        raise


BUNDLE_NAME_RE = re.compile(r"^(?P<rung>[^-]+)-v(?P<version>\d+)-[0-9a-f]+\.zip$")


def _delete_superseded(*, recording: Recording, current: str) -> None:
    """Bundles of an older version, or an older build of this rung, are never served
    again (their hash is gone): free the space. Partial files of running builds stay."""
    this = BUNDLE_NAME_RE.match(current)
    folder = _folder(recording)
    try:
        _, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    except STORAGE_ERRORS as exc:
        logger.warning("Could not list %s: %r", folder, exc)
        return
    for old in names:
        match = BUNDLE_NAME_RE.match(old)
        if old == current or match is None:
            continue
        if int(match["version"]) < int(this["version"]) or match["rung"] == this["rung"]:
            storage_discard(f"{folder}/{old}")
