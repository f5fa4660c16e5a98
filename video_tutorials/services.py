"""Writes and workflows of recordings: upload, code snapshots, transcoding, captions,
publication. Views and tasks call these; nothing here knows about HTTP."""

import errno
import logging
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
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework.exceptions import NotFound, ValidationError

from core.errors import InsufficientStorage, PayloadTooLarge, ServiceUnavailable
from core.public_urls import public_base
from courses import services as course_services
from courses.selectors import lesson_is_open_to_students

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


# --- every visible change ---------------------------------------------------------


def recording_changed(*, recording_pk: int, **fields) -> None:
    """Write ``fields`` and bump ``content_version``: every change a client can see goes
    through here (or bumps it in the same statement), because the version is the ETag
    and the key of the cached JSON and of the offline bundles.

    Transcode progress goes through here too: it only moves while the recording is
    processing, which no student can see, so students' cached JSON is never thrown away
    by it; only the admins' detail is re-rendered."""
    Recording.objects.filter(pk=recording_pk).update(
        **fields, content_version=F("content_version") + 1, updated_at=timezone.now()
    )


def recording_edit(*, recording: Recording, fields: list[str]) -> Recording:
    """Save an admin's edits of ``fields`` (Django admin's change form)."""
    with transaction.atomic():
        recording.save(update_fields=[*fields, "updated_at"])
        recording_changed(recording_pk=recording.pk)
    recording.refresh_from_db()
    return recording


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
    """The name is only kept as a label (the stored file is named after the recording);
    Django's multipart parser has already dropped any folders from it. What is left must
    still be a plain name: ``intro..v2.webm`` is, ``..`` is not."""
    if name.strip(". ") == "" or any(char in name for char in "/\\\x00"):
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
        except transcoding.MediaToolError as exc:
            logger.error("Media tools failed while probing an upload: %s", exc)
            raise ServiceUnavailable("Media tools are unavailable right now; the file was not stored.") from exc
    return info


def _extension_for(info: transcoding.ProbeResult) -> str:
    for name in info.format_name.split(","):
        if name in EXTENSION_FOR_FORMAT:
            return EXTENSION_FOR_FORMAT[name]
    return ".bin"


def _storage_errors() -> tuple[type[Exception], ...]:
    """What a storage backend raises when it cannot store: OSError from a disk, and
    botocore's errors from S3 (botocore is only there when the S3 backend is installed)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


STORAGE_ERRORS = _storage_errors()


def _storage_failure(exc: Exception, name: str) -> Exception:
    """507 when the disk is full (retrying won't help until someone frees space); 503 for
    every other storage failure (EIO, EACCES, an object store refusing or unreachable)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InsufficientStorage()
    logger.error("Storage failed while saving %s: %r", name, exc)
    return ServiceUnavailable("File storage is unavailable right now. Try again in a minute.")


def _storage_discard(name: str) -> None:
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
    except STORAGE_ERRORS as exc:
        logger.warning("Could not remove the partial file %s: %r", name, exc)


def _storage_save(name: str, content) -> str:
    """Save, or leave nothing behind: a disk that fills up or fails mid-write must not keep
    half a file, and a storage failure is a clear 507/503, never a 500."""
    try:
        name = default_storage.get_available_name(name)
    except STORAGE_ERRORS as exc:  # nothing written yet; the name may be someone else's file
        raise _storage_failure(exc, name) from exc
    try:
        return default_storage.save(name, content)
    except STORAGE_ERRORS as exc:
        _storage_discard(name)
        raise _storage_failure(exc, name) from exc


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
    """Store a probed upload as a recording: the take its snapshots already created
    (see ``_open_takes``) or a new one. Transcoding is queued separately."""
    info = media_probe_upload(uploaded_file=uploaded_file)
    with transaction.atomic():
        recording = _open_takes(Recording.objects.select_for_update(), title=title).first()
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
        recording.uploaded_at = timezone.now()
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
        Recording.objects.filter(pk=recording.pk).update(transcode_queued_at=None)
        return False
    Recording.objects.filter(pk=recording.pk).update(transcode_queued_at=timezone.now())
    return True


# --- code snapshots ----------------------------------------------------------------


# What ingesting needs of the recording row, read with the row lock.
SNAPSHOT_FIELDS = ("pk", "recording_id", "snapshot_batch_ids", "snapshot_count", "duration", "declared_duration")
# Once a take's length is known, a snapshot this far past its end cannot belong to it
# (a few seconds over is normal: the recorder stops after the last keystroke is saved).
PAST_DURATION_SLACK_SECONDS = 60
PAST_DURATION_SLACK_RATIO = 0.1
# A take whose batches stopped this long ago was abandoned: a new upload or batch with
# its title starts a new take instead of joining it.
OPEN_TAKE_HOURS = 24
# After its upload, a take still gets the title-only batches of its own session for this
# long: the last batch in flight, one re-sent after a network cut.
LATE_BATCH_MINUTES = 15


def _open_takes(queryset, *, title: str):
    """Takes of this title still waiting for their upload, newest first: the rule the
    upload and the title-only snapshot batches share."""
    return queryset.filter(
        title=title,
        status=Recording.Status.AWAITING_UPLOAD,
        updated_at__gte=timezone.now() - timedelta(hours=OPEN_TAKE_HOURS),
    ).order_by("-created_at", "-id")


def _is_late_batch_of(recording: Recording, incoming: list[Snapshot]) -> bool:
    """True when a title-only batch belongs to this already-uploaded take: each snapshot
    either continues its timeline (later than its last one) or repeats one it holds (a
    re-send). A batch that starts over with new code is the next take. One query."""
    chunks = SnapshotChunk.objects.filter(recording_id=recording.pk)
    if incoming:
        chunks = chunks.filter(end_time__gte=incoming[0].timestamp)
    stored = [snapshot for data in chunks.values_list("data", flat=True) for snapshot in decode_chunk(data)]
    last = max((snapshot.timestamp for snapshot in stored), default=-1.0)
    keys = {_snapshot_key(snapshot) for snapshot in stored}
    return all(snapshot.timestamp > last or _snapshot_key(snapshot) in keys for snapshot in incoming)


def _recording_for_snapshots_locked(
    *, recording_key: str | None, title: str | None, incoming: list[Snapshot]
) -> Recording:
    """The recording a snapshot batch belongs to, locked (call inside transaction.atomic()):
    by id, else by title (the old recorder's way): the open take of that title (one query);
    else a take uploaded minutes ago whose late batch this is; else a new take, which
    the upload will then join. A finished take never gets the next take's snapshots."""
    locked = Recording.objects.select_for_update().only(*SNAPSHOT_FIELDS)
    if recording_key:
        lookup = {"pk": int(recording_key)} if is_numeric_id(recording_key) else {"recording_id": recording_key}
        recording = locked.filter(**lookup).first()
        if recording is None:
            raise NotFound("No recording with this id.")
        return recording
    recording = _open_takes(locked, title=title).first()
    if recording is not None:
        return recording
    just_uploaded = (
        locked.filter(
            title=title,
            is_published=False,
            uploaded_at__gte=timezone.now() - timedelta(minutes=LATE_BATCH_MINUTES),
        )
        .order_by("-uploaded_at", "-id")
        .first()
    )
    if just_uploaded is not None and _is_late_batch_of(just_uploaded, incoming):
        return just_uploaded
    return Recording.objects.create(title=title, status=Recording.Status.AWAITING_UPLOAD)


def _snapshot_key(snapshot: Snapshot) -> tuple:
    return (snapshot.timestamp, snapshot.code)


def _snapshots_sorted(snapshots: list[dict], positions: list[int] | None = None) -> list[Snapshot]:
    """Snapshots in time order; ``Snapshot.index`` is each one's position in the request."""
    positions = range(len(snapshots)) if positions is None else positions
    return sorted(
        (
            Snapshot(float(s["timestamp"]), s["code"], s.get("cursorPosition"), s.get("scrollPosition"), index)
            for s, index in zip(snapshots, positions, strict=True)
        ),
        key=lambda s: s.timestamp,
    )


def _take_length_limit(recording: Recording) -> float | None:
    """The latest timestamp a snapshot of this take may have, once its length is known."""
    length = recording.duration or recording.declared_duration
    if not length:
        return None
    return length + max(PAST_DURATION_SLACK_SECONDS, length * PAST_DURATION_SLACK_RATIO)


def _split_past_the_take(recording: Recording, incoming: list[Snapshot]) -> tuple[list[Snapshot], list[dict]]:
    """(kept, rejected): snapshots far past the end of the take are reported, not stored."""
    limit = _take_length_limit(recording)
    if limit is None:
        return incoming, []
    kept = [snapshot for snapshot in incoming if snapshot.timestamp <= limit]
    rejected = [
        {
            "index": snapshot.index,
            "reason": f"timestamp {snapshot.timestamp:g} is past the end of this take "
            f"({recording.duration or recording.declared_duration:g} seconds long).",
            "code": "past_take_end",
        }
        for snapshot in incoming
        if snapshot.timestamp > limit
    ]
    return kept, rejected


def snapshot_batch_ingest(
    *,
    recording_key: str | None,
    title: str | None,
    snapshots: list[dict],
    batch_id: str | None = None,
    positions: list[int] | None = None,
) -> tuple[Recording, dict]:
    """The HTTP path of snapshots_ingest: the recording is found by id or title and locked
    in the same query, so a batch costs four queries (five when it creates the recording).
    ``positions`` are the snapshots' indexes in the request (the serializer dropped the
    invalid ones), so what this refuses is reported by the index the client sent."""
    incoming = _snapshots_sorted(snapshots, positions)
    with transaction.atomic():
        recording = _recording_for_snapshots_locked(recording_key=recording_key, title=title, incoming=incoming)
        return recording, _snapshots_ingest_locked(
            recording=recording, incoming=incoming, batch_id=batch_id, within_take_length=True
        )


def snapshots_ingest(*, recording: Recording, snapshots: list[dict], batch_id: str | None = None) -> dict:
    """Add a batch to the recording's timeline, once.

    A batch id seen before, or a snapshot equal to a stored one (same timestamp and
    code), is not stored again. Batches may arrive out of order: only the chunks from
    the first affected one onward are rewritten. Four queries, whatever the batch size.
    Server-side callers (demo data, tools) are trusted with their timestamps; the
    recorder's HTTP batches also have to fit the take (``snapshot_batch_ingest``).
    """
    incoming = _snapshots_sorted(snapshots)
    with transaction.atomic():
        locked = Recording.objects.select_for_update().only(*SNAPSHOT_FIELDS).get(pk=recording.pk)
        return _snapshots_ingest_locked(recording=locked, incoming=incoming, batch_id=batch_id)


def _delete_returning_supported() -> bool:
    """PostgreSQL, and SQLite since 3.35 (the same versions that return inserted columns)."""
    return connection.features.can_return_columns_from_insert


def _chunks_take(*, recording_pk: int, first_time: float) -> list[SnapshotChunk]:
    """Delete and return, in one statement, the chunks a batch starting at ``first_time``
    rewrites: those holding a snapshot at or after it, and the last chunk while it has
    room (so appends fill it instead of adding keyframes). DELETE ... RETURNING (SQLite
    3.35+, PostgreSQL) saves a separate read; the caller holds the recording's row lock,
    so no concurrent batch can touch these chunks in between."""
    meta = SnapshotChunk._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk, recording, start, end, count, data = (
        quote(meta.get_field(name).column) for name in ("id", "recording", "start_time", "end_time", "count", "data")
    )
    where = (
        f"WHERE {recording} = %s AND ({end} >= %s OR ({count} < %s AND {pk} = "
        f"(SELECT {pk} FROM {table} WHERE {recording} = %s ORDER BY {start} DESC, {pk} DESC LIMIT 1)))"
    )
    params = [recording_pk, first_time, CHUNK_SIZE, recording_pk]
    columns = f"{pk}, {start}, {end}, {count}, {data}"
    with connection.cursor() as cursor:
        if _delete_returning_supported():
            cursor.execute(f"DELETE FROM {table} {where} RETURNING {columns}", params)
            rows = cursor.fetchall()
        else:  # an older SQLite (before 3.35): read, then delete
            cursor.execute(f"SELECT {columns} FROM {table} {where}", params)
            rows = cursor.fetchall()
            SnapshotChunk.objects.filter(pk__in=[row[0] for row in rows]).delete()
    chunks = [
        SnapshotChunk(
            pk=row[0], recording_id=recording_pk, start_time=row[1], end_time=row[2], count=row[3], data=row[4]
        )
        for row in rows
    ]
    return sorted(chunks, key=lambda chunk: (chunk.start_time, chunk.pk))


def _snapshots_ingest_locked(
    *, recording: Recording, incoming: list[Snapshot], batch_id: str | None, within_take_length: bool = False
) -> dict:
    """Queries: the chunks taken, the chunks written, the recording's counters.
    ``within_take_length``: snapshots far past the end of a take whose length is known
    are reported in ``rejected`` and not stored; the rest of the batch is."""
    if batch_id and batch_id in recording.snapshot_batch_ids:
        return {
            "received": len(incoming),
            "stored": 0,
            "duplicates": len(incoming),
            "duplicate_batch": True,
            "rejected": [],
            "snapshot_count": recording.snapshot_count,
        }
    received = len(incoming)
    incoming, rejected = _split_past_the_take(recording, incoming) if within_take_length else (incoming, [])
    if not incoming:
        return {
            "received": received,
            "stored": 0,
            "duplicates": 0,
            "duplicate_batch": False,
            "rejected": rejected,
            "snapshot_count": recording.snapshot_count,
        }
    taken = _chunks_take(recording_pk=recording.pk, first_time=incoming[0].timestamp)
    existing = [snapshot for chunk in taken for snapshot in decode_chunk(chunk.data)]
    seen = {_snapshot_key(s) for s in existing}
    fresh = []
    for snapshot in incoming:
        if _snapshot_key(snapshot) not in seen:
            seen.add(_snapshot_key(snapshot))
            fresh.append(snapshot)
    if fresh:
        merged = sorted(existing + fresh, key=lambda s: s.timestamp)  # stable: ties keep arrival order
        written = [
            SnapshotChunk(
                recording_id=recording.pk,
                start_time=group[0].timestamp,
                end_time=group[-1].timestamp,
                count=len(group),
                data=encode_chunk(group),
            )
            for group in split_into_chunks(merged)
        ]
    else:
        written = taken  # nothing new (the same content re-sent): put them back as they were
    if written:
        SnapshotChunk.objects.bulk_create(written)
    stored_bytes_delta = sum(len(chunk.data.encode()) for chunk in written) - sum(
        len(chunk.data.encode()) for chunk in taken
    )
    batch_ids = recording.snapshot_batch_ids + ([batch_id] if batch_id else [])
    Recording.objects.filter(pk=recording.pk).update(
        snapshot_batch_ids=batch_ids[-MAX_BATCH_IDS_KEPT:],
        snapshot_count=F("snapshot_count") + len(fresh),
        timeline_bytes=F("timeline_bytes") + stored_bytes_delta,
        content_version=F("content_version") + (1 if fresh else 0),
        updated_at=timezone.now(),
    )
    return {
        "received": received,
        "stored": len(fresh),
        "duplicates": len(incoming) - len(fresh),
        "duplicate_batch": False,
        "rejected": rejected,
        # Exact: the row is locked, so nothing changed it since it was read.
        "snapshot_count": recording.snapshot_count + len(fresh),
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
    recording_changed(recording_pk=recording.pk, status=Recording.Status.FAILED, error=error[-4000:])
    recording.refresh_from_db()
    progress_push(recording=recording, event="failed")


def recording_transcode(*, recording_pk: int, force: bool = False) -> Recording | None:
    """Transcode the original into the ladder, the audio track and the poster.

    Safe to run twice (a redelivered task): every run writes its own files and then
    replaces the recording's derived assets in one transaction. A recording that is
    already ready is left alone unless ``force``: a task redelivered after its commit
    (the worker died before the ack) must not take a published lesson offline.
    """
    recording = Recording.objects.filter(pk=recording_pk).first()
    if recording is None or not recording.original:
        return None
    if recording.status == Recording.Status.READY and not force:
        logger.info("Recording %s is already transcoded; nothing to do", recording.recording_id)
        return recording
    recording_changed(
        recording_pk=recording.pk,
        status=Recording.Status.PROCESSING,
        progress=0,
        error="",
        processing_started_at=timezone.now(),
        transcode_attempts=F("transcode_attempts") + 1,
    )
    recording.refresh_from_db()
    progress_push(recording=recording, event="started")

    def on_progress(percent: int) -> None:
        # Also the heartbeat the stale sweep reads (updated_at).
        recording_changed(recording_pk=recording.pk, progress=percent)
        recording.progress = percent
        progress_push(recording=recording)

    workdir = Path(tempfile.mkdtemp(prefix="mrict-transcode-"))
    try:
        with _LocalSource(recording) as source:
            info = transcoding.probe(source)
            outputs = transcoding.transcode(
                source, workdir, info, on_progress=on_progress, declared_duration=recording.declared_duration
            )
        # The source's header, else what the outputs measured (a MediaRecorder webm says nothing).
        measured = max((output.duration or 0 for output in outputs), default=0) or None
        _assets_replace(recording=recording, outputs=outputs, duration=info.duration or measured)
    except (transcoding.MediaError, transcoding.TranscodeError, transcoding.MediaToolError) as exc:
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
    derived = [RecordingAsset.Kind.VIDEO, RecordingAsset.Kind.AUDIO, RecordingAsset.Kind.POSTER]
    try:
        for output in outputs:
            with open(output.path, "rb") as handle:
                name = _storage_save(
                    f"recordings/{recording.recording_id}/media/{run}/{output.path.name}", File(handle)
                )
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
                    duration=output.duration,
                )
            )
        with transaction.atomic():
            # Two runs of one recording (a redelivered task, a sweep re-queue) take turns
            # here: each then replaces what the other committed, instead of both deleting
            # the same old rows and inserting the same labels (IntegrityError on PostgreSQL).
            Recording.objects.select_for_update().only("pk").get(pk=recording.pk)
            old = list(
                RecordingAsset.objects.filter(recording=recording, kind__in=derived).values_list("file", flat=True)
            )
            RecordingAsset.objects.filter(recording=recording, kind__in=derived).delete()
            RecordingAsset.objects.bulk_create(saved)
            recording_changed(
                recording_pk=recording.pk,
                status=Recording.Status.READY,
                progress=100,
                error="",
                duration=duration or recording.duration,
            )
            transaction.on_commit(lambda: _delete_files(old))
    except Exception:
        # Storage or database failed part-way: this run's files would be orphans; the error
        # goes on to the task (the recording stays "processing" until the sweep re-queues it).
        _delete_files([asset.file.name for asset in saved])
        raise


def _delete_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except STORAGE_ERRORS as exc:
            logger.warning("Could not delete %s: %s", name, exc)


def recording_retry(*, recording: Recording) -> Recording:
    if recording.status != Recording.Status.FAILED:
        raise ValidationError({"status": ["Only a failed recording can be retried."]}, code="not_failed")
    if not recording.original:
        raise ValidationError({"status": ["This recording has no uploaded file to transcode."]})
    # A fresh start: the sweep's attempt limit counts from here, and its stale clock too.
    recording_changed(
        recording_pk=recording.pk, status=Recording.Status.UPLOADED, error="", progress=0, transcode_attempts=0
    )
    recording.refresh_from_db()
    recording_queue_transcode(recording=recording)
    recording.refresh_from_db()
    return recording


def transcodes_sweep_stale() -> list[int]:
    """Queue again what a dead worker or a broker outage left behind; give up after
    three attempts (the recording shows as failed, an admin can retry).

    Uploads that could not be queued at all (the broker was down) are queued on the next
    sweep after the broker is back; the rest once they have looked stale for a while."""
    cutoff = timezone.now() - timedelta(minutes=settings.TRANSCODE_STALE_MINUTES)
    stale = Recording.objects.filter(
        Q(status__in=[Recording.Status.PROCESSING, Recording.Status.UPLOADED], updated_at__lt=cutoff)
        | Q(status=Recording.Status.UPLOADED, transcode_queued_at__isnull=True)
    ).exclude(original="")
    requeued = []
    for recording in stale:
        if recording.transcode_attempts >= 3:
            recording_mark_failed(recording=recording, error="Transcoding did not finish after 3 attempts.")
            continue
        recording_changed(recording_pk=recording.pk)  # updated_at is in the payload too
        if recording_queue_transcode(recording=recording):
            requeued.append(recording.pk)
    return requeued


# --- publication -------------------------------------------------------------------


def recording_publish(*, recording: Recording, by) -> Recording:
    """Publish; the lesson's students are told once per recording, and only when they
    can open it (its lesson, module and course are published). The row lock makes two
    concurrent publishes take turns, so only the first tells them."""
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update(of=("self",))
            .select_related("lesson__module__course")
            .get(pk=recording.pk)
        )
        if recording.status != Recording.Status.READY:
            raise ValidationError(
                {"status": ["Only a transcoded (ready) recording can be published."]}, code="not_ready"
            )
        if not recording.is_published:
            recording_changed(
                recording_pk=recording.pk, is_published=True, published_at=recording.published_at or timezone.now()
            )
        _notify_students_once(recording)
        transaction.on_commit(partial(_queue_warm_json, recording.pk, public_base()))
    recording.refresh_from_db()
    return recording


def _notify_students_once(recording: Recording) -> None:
    """Tell the lesson's students about a published recording, once, and only when they
    can open the lesson. The conditional UPDATE claims the notice even where SELECT ...
    FOR UPDATE is a no-op (SQLite)."""
    if (
        recording.notified_at is None
        and lesson_is_open_to_students(lesson_id=recording.lesson_id)
        and Recording.objects.filter(pk=recording.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    ):
        _notify_students(recording)


def recording_lesson_link(*, recording: Recording, lesson) -> Recording:
    """Link a recording to ``lesson``, re-link it, or unlink it (None): what the upload's
    ``lesson`` does, for the studio's takes that never send one. A published recording
    linked to a lesson students can open tells them once, as publishing does."""
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update(of=("self",))
            .select_related("lesson__module__course")
            .get(pk=recording.pk)
        )
        if recording.lesson_id != (lesson.pk if lesson else None):
            recording_changed(recording_pk=recording.pk, lesson=lesson)
            recording.lesson = lesson
        if recording.is_published and lesson is not None:
            _notify_students_once(recording)
            transaction.on_commit(partial(_queue_warm_json, recording.pk, public_base()))
    recording.refresh_from_db()
    return recording


def _queue_warm_json(recording_pk: int, base: str) -> None:
    """Render the new version's JSON before the class asks for it (best effort), with the
    links of the host this publish came through (or PUBLIC_BASE_URL): its URLs are absolute."""
    from core.tasks import enqueue

    from .tasks import warm_recording_json

    try:
        enqueue(warm_recording_json, recording_pk, base)
    except ServiceUnavailable:
        logger.warning("Broker unavailable; recording %s renders on first request", recording_pk)


def _notify_students(recording: Recording) -> None:
    lesson = recording.lesson
    course_services.notify_enrolled_students(
        course=lesson.module.course,
        kind="recording_published",
        title=f"New lesson video: {lesson.title}",
        body=recording.title,
        data={"recording_id": recording.recording_id, "lesson_id": lesson.lesson_id},
    )


def recording_unpublish(*, recording: Recording, by) -> Recording:
    recording_changed(recording_pk=recording.pk, is_published=False)
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
        recording_changed(recording_pk=recording.pk)
        transaction.on_commit(lambda: _delete_files(old))
    return asset
