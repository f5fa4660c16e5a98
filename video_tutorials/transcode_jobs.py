"""The transcode workflow around transcoding.py: queue, run, progress pushes, retry, the stale sweep."""

import logging
import os
import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework.exceptions import ValidationError

import core.tasks
from core.errors import ServiceUnavailable

from . import tasks, transcoding
from .changes import recording_changed
from .models import Recording, RecordingAsset
from .storage import files_delete, storage_save

logger = logging.getLogger(__name__)


def recording_queue_transcode(*, recording: Recording) -> bool:
    """Queue the transcode; False when the broker is down (the sweep queues it later)."""
    try:
        core.tasks.enqueue(tasks.transcode_recording, recording.pk)
    except ServiceUnavailable:
        logger.warning("Broker unavailable; recording %s waits for the sweep", recording.recording_id)
        Recording.objects.filter(pk=recording.pk).update(transcode_queued_at=None)
        return False
    Recording.objects.filter(pk=recording.pk).update(transcode_queued_at=timezone.now())
    return True


def progress_push(*, recording: Recording, event: str = "progress") -> None:
    """Tell the admins watching ``ws/recordings/<id>/``; a missing channel layer never
    stops a transcode."""
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
        assets_replace(recording=recording, outputs=outputs, duration=info.duration or measured)
    except (transcoding.MediaError, transcoding.TranscodeError, transcoding.MediaToolError) as exc:
        recording_mark_failed(recording=recording, error=str(exc))
        return recording
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    recording.refresh_from_db()
    progress_push(recording=recording, event="ready")
    return recording


def assets_replace(*, recording: Recording, outputs, duration: float | None) -> None:
    run = uuid.uuid4().hex[:10]
    saved: list[RecordingAsset] = []
    derived = [RecordingAsset.Kind.VIDEO, RecordingAsset.Kind.AUDIO, RecordingAsset.Kind.POSTER]
    try:
        for output in outputs:
            with open(output.path, "rb") as handle:
                name = storage_save(f"recordings/{recording.recording_id}/media/{run}/{output.path.name}", File(handle))
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
            transaction.on_commit(lambda: files_delete(old))
    except Exception:
        # Storage or database failed part-way: this run's files would be orphans; the error
        # goes on to the task (the recording stays "processing" until the sweep re-queues it).
        files_delete([asset.file.name for asset in saved])
        raise


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
