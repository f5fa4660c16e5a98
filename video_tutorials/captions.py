"""WebVTT caption tracks: validated, stored per language, replacing that language's old track."""

import re
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from rest_framework.exceptions import ValidationError

from .changes import recording_changed
from .models import Recording, RecordingAsset
from .storage import files_delete, storage_save

MAX_CAPTION_BYTES = 2 * 1024 * 1024

# Our own check, not webvtt-py (0.5.1 and 0.6.0 tried): it drops a cue whose timing is
# malformed instead of refusing the file (0.6.0 even skips "0:00:99.000"), accepts a cue
# that ends before it starts, gives cue times in whole seconds, and names no line.
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
    name = storage_save(
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
        transaction.on_commit(lambda: files_delete(old))
    return asset
