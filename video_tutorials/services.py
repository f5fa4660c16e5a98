"""Writes and workflows of recordings: upload, code snapshots, transcoding, captions,
publication. Views and tasks call these; nothing here knows about HTTP."""

import errno
import logging
import math
import os
import re
import shutil
import tempfile
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework.exceptions import NotFound, ValidationError

from core.errors import InsufficientStorage, PayloadTooLarge, ServiceUnavailable

from . import transcoding
from .models import Recording, RecordingAsset, SnapshotChunk
from .selectors import is_numeric_id
from .timeline import CHUNK_SIZE, Snapshot, decode_chunk, encode_chunk, split_into_chunks

logger = logging.getLogger(__name__)

MAX_BATCH_IDS_KEPT = 5000
MAX_CAPTION_BYTES = 2 * 1024 * 1024
EXTENSION_FOR_FORMAT = {
    "matroska": ".webm",
    "webm": ".webm",
    "mov": ".mp4",
    "mp4": ".mp4",
    "ogg": ".ogg",
    "wav": ".wav",
    "mp3": ".mp3",
    "avi": ".avi",
    "flv": ".flv",
    "mpegts": ".ts",
    "aac": ".aac",
    "flac": ".flac",
}


# --- upload ------------------------------------------------------------------------


class MaxSizeUploadHandler(FileUploadHandler):
    """Stops a multipart upload as soon as it passes the size cap, before it fills a disk."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + 1024 * 1024:
            raise PayloadTooLarge(f"The file is larger than the limit of {self.limit} bytes.")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None

    def upload_complete(self):
        if self.received > self.limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {self.limit} bytes.")


def install_upload_limit(request) -> None:
    """Call before ``request.data`` is read."""
    handler = MaxSizeUploadHandler(request, limit=settings.RECORDING_MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, handler)


def _validate_file_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise ValidationError({"video_file": ["Send a plain file name, without folders or '..'."]})
    return name[:255]


class _LocalCopy:
    """A path on local disk for an uploaded file (a temp copy only if it is in memory)."""

    def __init__(self, uploaded):
        self.uploaded = uploaded
        self.temp_path: str | None = None

    def __enter__(self) -> str:
        if hasattr(self.uploaded, "temporary_file_path"):
            return self.uploaded.temporary_file_path()
        handle, self.temp_path = tempfile.mkstemp(prefix="mrict-upload-")
        with os.fdopen(handle, "wb") as out:
            for chunk in self.uploaded.chunks():
                out.write(chunk)
        self.uploaded.seek(0)
        return self.temp_path

    def __exit__(self, *exc):
        if self.temp_path:
            os.unlink(self.temp_path)


def media_probe_upload(*, uploaded_file) -> transcoding.ProbeResult:
    """Refuse, before anything is stored, what is empty, too big, not media or truncated."""
    _validate_file_name(uploaded_file.name or "")
    if uploaded_file.size == 0:
        raise ValidationError({"video_file": ["The file is empty."]})
    if uploaded_file.size > settings.RECORDING_MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"The file is larger than the limit of {settings.RECORDING_MAX_UPLOAD_BYTES} bytes.")
    with _LocalCopy(uploaded_file) as path:
        try:
            info = transcoding.probe(path)
            transcoding.check_integrity(path)
        except transcoding.MediaError as exc:
            raise ValidationError({"video_file": [str(exc)]}, code="not_media") from exc
    return info


def _extension_for(info: transcoding.ProbeResult) -> str:
    for name in info.format_name.split(","):
        if name in EXTENSION_FOR_FORMAT:
            return EXTENSION_FOR_FORMAT[name]
    return ".bin"


def _storage_save(name: str, content) -> str:
    """Save, or leave nothing behind: a disk that fills up mid-write must not keep half a file."""
    name = default_storage.get_available_name(name)
    try:
        return default_storage.save(name, content)
    except OSError as exc:
        if default_storage.exists(name):
            default_storage.delete(name)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientStorage() from exc
        raise


def recording_upload(
    *,
    uploaded_file,
    title: str,
    by,
    description: str = "",
    declared_duration: float | None = None,
    language: str = "en",
    lesson=None,
) -> Recording:
    """Store a probed upload as a recording: the one its snapshots already created
    (same title, awaiting the upload) or a new one. Transcoding is queued separately."""
    info = media_probe_upload(uploaded_file=uploaded_file)
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update()
            .filter(title=title, status=Recording.Status.AWAITING_UPLOAD)
            .order_by("-created_at", "-id")
            .first()
        )
        if recording is None:
            recording = Recording(title=title)
        recording.description = description
        recording.language = language
        recording.declared_duration = declared_duration
        recording.original_name = uploaded_file.name[:255]
        recording.original_size_bytes = uploaded_file.size
        recording.duration = info.duration or declared_duration
        recording.has_video, recording.has_audio = info.has_video, info.has_audio
        recording.source_width, recording.source_height = info.width, info.height
        recording.status = Recording.Status.UPLOADED
        recording.error = ""
        recording.progress = 0
        recording.uploaded_by = by
        if lesson is not None:
            recording.lesson = lesson
        recording.save()
        name = f"recordings/{recording.recording_id}/original{_extension_for(info)}"
        recording.original.name = _storage_save(name, uploaded_file)
        recording.content_version = F("content_version") + 1
        recording.save(update_fields=["original", "content_version", "updated_at"])
    recording.refresh_from_db()
    return recording


def recording_queue_transcode(*, recording: Recording) -> bool:
    """Queue the transcode; False when the broker is down (the sweep queues it later)."""
    from core.tasks import enqueue

    from .tasks import transcode_recording

    try:
        enqueue(transcode_recording, recording.pk)
    except ServiceUnavailable:
        logger.warning("Broker unavailable; recording %s waits for the sweep", recording.recording_id)
        return False
    return True


# --- code snapshots ----------------------------------------------------------------


def recording_for_snapshots(*, recording_key: str | None, title: str | None) -> Recording:
    """The recording a snapshot batch belongs to: by id, else by title (the old
    recorder's way; a batch that arrives before its upload creates the recording)."""
    if recording_key:
        lookup = {"pk": int(recording_key)} if is_numeric_id(recording_key) else {"recording_id": recording_key}
        recording = Recording.objects.filter(**lookup).first()
        if recording is None:
            raise NotFound("No recording with this id.")
        return recording
    recent = timezone.now() - timedelta(hours=24)
    recording = (
        Recording.objects.filter(title=title, is_published=False, created_at__gte=recent)
        .order_by("-created_at", "-id")
        .first()
    )
    if recording is None:
        recording = Recording.objects.create(title=title, status=Recording.Status.AWAITING_UPLOAD)
    return recording


def _snapshot_key(snapshot: Snapshot) -> tuple:
    return (snapshot.timestamp, snapshot.code)


def snapshots_ingest(*, recording: Recording, snapshots: list[dict], batch_id: str | None = None) -> dict:
    """Add a batch to the recording's timeline, once.

    A batch id seen before, or a snapshot equal to a stored one (same timestamp and
    code), is not stored again. Batches may arrive out of order: only the chunks from
    the first affected one onward are rewritten. Five queries, whatever the batch size.
    """
    incoming = sorted(
        (
            Snapshot(float(s["timestamp"]), s["code"], s.get("cursorPosition"), s.get("scrollPosition"))
            for s in snapshots
        ),
        key=lambda s: s.timestamp,
    )
    with transaction.atomic():
        locked = Recording.objects.select_for_update().only("pk", "snapshot_batch_ids").get(pk=recording.pk)
        if batch_id and batch_id in locked.snapshot_batch_ids:
            return {"received": len(incoming), "stored": 0, "duplicates": len(incoming), "duplicate_batch": True}
        if not incoming:
            return {"received": 0, "stored": 0, "duplicates": 0, "duplicate_batch": False}
        first_time = incoming[0].timestamp
        # Chunks holding a snapshot at or after the batch's first timestamp, and the
        # last chunk while it has room (so appends fill it instead of adding keyframes).
        last_chunk = SnapshotChunk.objects.filter(recording=recording).order_by("-start_time", "-id").values("pk")[:1]
        affected = [
            chunk
            for chunk in SnapshotChunk.objects.filter(recording=recording)
            .filter(Q(end_time__gte=first_time) | Q(pk=Subquery(last_chunk)))
            .order_by("start_time", "id")
            .only("pk", "data", "start_time", "end_time", "count")
            if chunk.end_time >= first_time or chunk.count < CHUNK_SIZE
        ]
        existing = [snapshot for chunk in affected for snapshot in decode_chunk(chunk.data)]
        seen = {_snapshot_key(s) for s in existing}
        fresh = []
        for snapshot in incoming:
            if _snapshot_key(snapshot) not in seen:
                seen.add(_snapshot_key(snapshot))
                fresh.append(snapshot)
        stored_bytes_delta = 0
        if fresh:
            merged = sorted(existing + fresh, key=lambda s: s.timestamp)  # stable: ties keep arrival order
            new_chunks = [
                SnapshotChunk(
                    recording=recording,
                    start_time=group[0].timestamp,
                    end_time=group[-1].timestamp,
                    count=len(group),
                    data=encode_chunk(group),
                )
                for group in split_into_chunks(merged)
            ]
            if affected:
                stored_bytes_delta -= sum(len(chunk.data.encode()) for chunk in affected)
                SnapshotChunk.objects.filter(pk__in=[chunk.pk for chunk in affected]).delete()
            SnapshotChunk.objects.bulk_create(new_chunks)
            stored_bytes_delta += sum(len(chunk.data.encode()) for chunk in new_chunks)
        batch_ids = locked.snapshot_batch_ids + ([batch_id] if batch_id else [])
        Recording.objects.filter(pk=recording.pk).update(
            snapshot_batch_ids=batch_ids[-MAX_BATCH_IDS_KEPT:],
            snapshot_count=F("snapshot_count") + len(fresh),
            timeline_bytes=F("timeline_bytes") + stored_bytes_delta,
            content_version=F("content_version") + (1 if fresh else 0),
            updated_at=timezone.now(),
        )
    return {
        "received": len(incoming),
        "stored": len(fresh),
        "duplicates": len(incoming) - len(fresh),
        "duplicate_batch": False,
    }


# --- transcoding -------------------------------------------------------------------


def progress_push(*, recording: Recording, event: str = "progress") -> None:
    """Tell the admins watching ``ws/recordings/<id>/``; a missing channel layer never
    stops a transcode."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    payload = {
        "event": event,
        "recording_id": recording.recording_id,
        "status": recording.status,
        "progress": recording.progress,
        "error": recording.error,
    }
    try:
        async_to_sync(layer.group_send)(
            f"recording.{recording.recording_id}", {"type": "recording.progress", "payload": payload}
        )
    except (OSError, RedisError) as exc:
        logger.warning("Could not push progress of %s: %s", recording.recording_id, exc)


class _LocalSource:
    """A local path of the stored original (a temp download for remote storage)."""

    def __init__(self, recording: Recording):
        self.recording = recording
        self.temp_dir: str | None = None

    def __enter__(self) -> str:
        name = self.recording.original.name
        try:
            return default_storage.path(name)
        except NotImplementedError:
            self.temp_dir = tempfile.mkdtemp(prefix="mrict-source-")
            path = os.path.join(self.temp_dir, "source" + Path(name).suffix)
            with default_storage.open(name, "rb") as source, open(path, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            return path

    def __exit__(self, *exc):
        if self.temp_dir:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


def recording_mark_failed(*, recording: Recording, error: str) -> None:
    recording.status = Recording.Status.FAILED
    recording.error = error[-4000:]
    recording.save(update_fields=["status", "error", "updated_at"])
    progress_push(recording=recording, event="failed")


def recording_transcode(*, recording_pk: int) -> Recording | None:
    """Transcode the original into the ladder, the audio track and the poster.

    Safe to run twice (a redelivered task): every run writes its own files and then
    replaces the recording's derived assets in one transaction.
    """
    recording = Recording.objects.filter(pk=recording_pk).first()
    if recording is None or not recording.original:
        return None
    recording.status = Recording.Status.PROCESSING
    recording.progress = 0
    recording.error = ""
    recording.processing_started_at = timezone.now()
    recording.transcode_attempts = F("transcode_attempts") + 1
    recording.save(
        update_fields=["status", "progress", "error", "processing_started_at", "transcode_attempts", "updated_at"]
    )
    recording.refresh_from_db()
    progress_push(recording=recording, event="started")

    def on_progress(percent: int) -> None:
        Recording.objects.filter(pk=recording.pk).update(progress=percent)
        recording.progress = percent
        progress_push(recording=recording)

    workdir = Path(tempfile.mkdtemp(prefix="mrict-transcode-"))
    try:
        with _LocalSource(recording) as source:
            info = transcoding.probe(source)
            outputs = transcoding.transcode(source, workdir, info, on_progress=on_progress)
        _assets_replace(recording=recording, outputs=outputs, duration=info.duration)
    except (transcoding.MediaError, transcoding.TranscodeError) as exc:
        recording_mark_failed(recording=recording, error=str(exc))
        return recording
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    recording.refresh_from_db()
    progress_push(recording=recording, event="ready")
    return recording


def _assets_replace(*, recording: Recording, outputs, duration: float | None) -> None:
    run = uuid.uuid4().hex[:10]
    saved: list[RecordingAsset] = []
    for output in outputs:
        with open(output.path, "rb") as handle:
            name = _storage_save(f"recordings/{recording.recording_id}/media/{run}/{output.path.name}", File(handle))
        saved.append(
            RecordingAsset(
                recording=recording,
                kind=output.kind,
                label=output.label,
                file=name,
                mime_type=output.mime_type,
                width=output.width,
                height=output.height,
                bitrate_kbps=output.bitrate_kbps,
                size_bytes=output.size_bytes,
            )
        )
    derived = [RecordingAsset.Kind.VIDEO, RecordingAsset.Kind.AUDIO, RecordingAsset.Kind.POSTER]
    with transaction.atomic():
        old = list(RecordingAsset.objects.filter(recording=recording, kind__in=derived).values_list("file", flat=True))
        RecordingAsset.objects.filter(recording=recording, kind__in=derived).delete()
        RecordingAsset.objects.bulk_create(saved)
        Recording.objects.filter(pk=recording.pk).update(
            status=Recording.Status.READY,
            progress=100,
            error="",
            duration=duration or recording.duration,
            content_version=F("content_version") + 1,
            updated_at=timezone.now(),
        )
        transaction.on_commit(lambda: _delete_files(old))


def _delete_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError as exc:
            logger.warning("Could not delete %s: %s", name, exc)


def recording_retry(*, recording: Recording) -> Recording:
    if recording.status != Recording.Status.FAILED:
        raise ValidationError({"status": ["Only a failed recording can be retried."]}, code="not_failed")
    if not recording.original:
        raise ValidationError({"status": ["This recording has no uploaded file to transcode."]})
    Recording.objects.filter(pk=recording.pk).update(status=Recording.Status.UPLOADED, error="", progress=0)
    recording.refresh_from_db()
    recording_queue_transcode(recording=recording)
    recording.refresh_from_db()
    return recording


def transcodes_sweep_stale() -> list[int]:
    """Queue again what a dead worker or a broker outage left behind; give up after
    three attempts (the recording shows as failed, an admin can retry)."""
    cutoff = timezone.now() - timedelta(minutes=settings.TRANSCODE_STALE_MINUTES)
    stale = Recording.objects.filter(
        status__in=[Recording.Status.PROCESSING, Recording.Status.UPLOADED],
        updated_at__lt=cutoff,
    ).exclude(original="")
    requeued = []
    for recording in stale:
        if recording.transcode_attempts >= 3:
            recording_mark_failed(recording=recording, error="Transcoding did not finish after 3 attempts.")
            continue
        Recording.objects.filter(pk=recording.pk).update(updated_at=timezone.now())
        if recording_queue_transcode(recording=recording):
            requeued.append(recording.pk)
    return requeued


# --- publication -------------------------------------------------------------------


def recording_publish(*, recording: Recording, by) -> Recording:
    if recording.status != Recording.Status.READY:
        raise ValidationError({"status": ["Only a transcoded (ready) recording can be published."]}, code="not_ready")
    was_published = recording.is_published
    Recording.objects.filter(pk=recording.pk).update(
        is_published=True,
        published_at=recording.published_at or timezone.now(),
        content_version=F("content_version") + 1,
        updated_at=timezone.now(),
    )
    recording.refresh_from_db()
    if not was_published and recording.lesson_id:
        _notify_students(recording)
    transaction.on_commit(partial(_queue_warm_json, recording.pk))
    return recording


def _queue_warm_json(recording_pk: int) -> None:
    """Render the new version's JSON before the class asks for it (best effort)."""
    from core.tasks import enqueue

    from .tasks import warm_recording_json

    try:
        enqueue(warm_recording_json, recording_pk)
    except ServiceUnavailable:
        logger.warning("Broker unavailable; recording %s renders on first request", recording_pk)


def _notify_students(recording: Recording) -> None:
    try:
        from notifications.services import notify_course_students
    except ImportError:
        return
    lesson = recording.lesson
    notify_course_students(
        course=lesson.module.course,
        kind="recording_published",
        title=f"New lesson video: {lesson.title}",
        body=recording.title,
        data={"recording_id": recording.recording_id, "lesson_id": lesson.lesson_id},
    )


def recording_unpublish(*, recording: Recording, by) -> Recording:
    Recording.objects.filter(pk=recording.pk).update(
        is_published=False, content_version=F("content_version") + 1, updated_at=timezone.now()
    )
    recording.refresh_from_db()
    return recording


# --- captions ----------------------------------------------------------------------

_TIMING_RE = re.compile(
    r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})[ \t]+-->[ \t]+(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})(?:[ \t].*)?$"
)


def _seconds(hours, minutes, seconds, millis) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def webvtt_validate(raw: bytes) -> str:
    """The text of a valid WebVTT file, or ValidationError saying what is wrong."""
    if len(raw) > MAX_CAPTION_BYTES:
        raise ValidationError({"file": [f"Captions are limited to {MAX_CAPTION_BYTES} bytes."]})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": ["Captions must be UTF-8 text."]}) from exc
    text = text.removeprefix("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ValidationError({"file": ["Not a WebVTT file: the first line must be 'WEBVTT'."]})
    cues = 0
    for number, line in enumerate(lines[1:], start=2):
        if "-->" not in line:
            continue
        match = _TIMING_RE.match(line.strip())
        if not match:
            raise ValidationError({"file": [f"Line {number}: a cue timing must look like 00:01.000 --> 00:04.000."]})
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        if end < start:
            raise ValidationError({"file": [f"Line {number}: a cue ends before it starts."]})
        cues += 1
    if cues == 0:
        raise ValidationError({"file": ["The WebVTT file has no cues."]})
    return text


def caption_upload(*, recording: Recording, language: str, raw: bytes) -> RecordingAsset:
    webvtt_validate(raw)
    from django.core.files.base import ContentFile

    name = _storage_save(
        f"recordings/{recording.recording_id}/captions/{language}-{uuid.uuid4().hex[:8]}.vtt", ContentFile(raw)
    )
    with transaction.atomic():
        old = list(
            RecordingAsset.objects.filter(
                recording=recording, kind=RecordingAsset.Kind.CAPTION, label=language
            ).values_list("file", flat=True)
        )
        RecordingAsset.objects.filter(recording=recording, kind=RecordingAsset.Kind.CAPTION, label=language).delete()
        asset = RecordingAsset.objects.create(
            recording=recording,
            kind=RecordingAsset.Kind.CAPTION,
            label=language,
            file=name,
            mime_type="text/vtt",
            size_bytes=len(raw),
        )
        Recording.objects.filter(pk=recording.pk).update(
            content_version=F("content_version") + 1, updated_at=timezone.now()
        )
        transaction.on_commit(lambda: _delete_files(old))
    return asset


def finite_non_negative(value, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: ["A number of seconds is required."]}) from exc
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValidationError({field: ["Seconds must be a finite number, 0 or more."]})
    return number
