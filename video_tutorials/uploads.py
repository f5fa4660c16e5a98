"""Recording uploads: the probe that refuses what is not media, then the original stored as a take."""

import logging
import os
import tempfile

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.errors import PayloadTooLarge, ServiceUnavailable

from . import transcoding
from .models import Recording
from .snapshot_ingest import open_takes
from .storage import storage_save

logger = logging.getLogger(__name__)

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
    (see ``open_takes``) or a new one. Transcoding is queued separately."""
    info = media_probe_upload(uploaded_file=uploaded_file)
    with transaction.atomic():
        recording = open_takes(Recording.objects.select_for_update(), title=title).first()
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
        recording.original.name = storage_save(name, uploaded_file)
        recording.content_version = F("content_version") + 1
        recording.save(update_fields=["original", "content_version", "updated_at"])
    recording.refresh_from_db()
    return recording
