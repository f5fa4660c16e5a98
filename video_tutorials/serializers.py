"""Request and response shapes of the recording endpoints: the only definition of each, used by
the views at run time and by the OpenAPI schema."""

import math
import re
from datetime import UTC, datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.envelope import envelope_serializer
from core.languages import MediaLanguageField
from core.public_urls import absolute_url
from core.serializers import BatchListField, RejectedItemSerializer, RejectUnknownFieldsMixin

from .media import recording_media

MAX_CODE_CHARS = 512 * 1024
MAX_SNAPSHOTS_PER_BATCH = 5000
# No take is longer than a day; a timestamp past that cannot belong to one.
MAX_RECORDING_SECONDS = 86400
# Seconds since 1970 from 2001 on (and Date.now() milliseconds): a clock time, not an offset.
ABSOLUTE_TIME_FROM = 1e9


def _finite(value: float, *, field: str) -> float:
    if math.isnan(value) or math.isinf(value):
        raise serializers.ValidationError(f"{field} must be a finite number.")
    return value


POSITION_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")


class PositionField(serializers.JSONField):
    """``{lineNumber, column}`` / ``{scrollTop, scrollLeft, timestamp?}``: a small object of
    numbers under short ASCII names (a lone surrogate in a key would pass JSON parsing and
    then fail when the timeline is encoded)."""

    def to_internal_value(self, data):
        if data is None:
            return None
        if not isinstance(data, dict) or len(data) > 8:
            raise serializers.ValidationError("Send an object of at most 8 numbers.")
        for key, value in data.items():
            if (
                not isinstance(key, str)
                or not POSITION_KEY_RE.fullmatch(key)
                or isinstance(value, bool)
                or not isinstance(value, (int, float))
                or math.isnan(value)
                or math.isinf(value)
                or abs(value) > 1e15
            ):
                raise serializers.ValidationError("Each value must be a finite number under a short name.")
        return data


class StrictQuerySerializer(serializers.Serializer):
    """Query parameters: ``?status=`` (present but empty) is an error, not "absent"."""

    def validate(self, attrs):
        empty = [name for name in self.fields if self.initial_data.get(name, None) == ""]
        if empty:
            raise serializers.ValidationError({name: ["This value may not be empty."] for name in empty})
        return super().validate(attrs)


class JSONNumberField(serializers.FloatField):
    """A JSON number: true/false and strings are refused (DRF would read them as 1.0 / "1.5")."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- requests ------------------------------------------------------------------------


class UploadInputSerializer(serializers.Serializer):
    video_file = serializers.FileField(help_text="The recording (webm, mp4, ogg…); probed before it is accepted.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    duration = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=86400, help_text="Seconds, as the recorder measured."
    )
    lesson = serializers.CharField(required=False, max_length=20, help_text="lesson_id of the lesson it belongs to.")
    language = MediaLanguageField(required=False, default="en")

    def validate_duration(self, value):
        return None if value is None else _finite(value, field="duration")


class RecordingUpdateInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    lesson = serializers.CharField(
        max_length=20, allow_null=True, help_text="lesson_id (or numeric id) to link the recording to; null unlinks it."
    )


class LessonMediaInputSerializer(serializers.Serializer):
    lesson = serializers.CharField(max_length=20, help_text="lesson_id (or numeric id) of the lesson.")
    video_file = serializers.FileField()
    language = MediaLanguageField(required=False, default="en")


class TakeTimestampField(JSONNumberField):
    """Seconds from the start of the take. Each way a timestamp cannot belong to a take
    has its own code, so the studio's known slip (its start time set after the first
    snapshot: an absolute epoch time) is reported as what it is."""

    default_error_messages = {
        "not_finite": "timestamp must be a finite number.",
        "negative_timestamp": "timestamp is negative: a take starts at 0 seconds.",
        "absolute_time": (
            "timestamp {value} reads as a clock time ({moment} UTC), not seconds from the start of the take: "
            "the recorder's start time was set after this snapshot. It was not stored."
        ),
        "beyond_recording": "timestamp is past {limit} seconds: no take is that long.",
    }

    def to_internal_value(self, data):
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("not_finite")
        value = super().to_internal_value(data)
        if value < 0:
            self.fail("negative_timestamp")
        if value >= ABSOLUTE_TIME_FROM:
            seconds = value / 1000 if value >= ABSOLUTE_TIME_FROM * 1000 else value
            try:
                moment = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
            except (OverflowError, OSError, ValueError):
                self.fail("beyond_recording", limit=MAX_RECORDING_SECONDS)
            self.fail("absolute_time", value=data, moment=moment)
        if value > MAX_RECORDING_SECONDS:
            self.fail("beyond_recording", limit=MAX_RECORDING_SECONDS)
        return value


class SnapshotInputSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=MAX_CODE_CHARS)
    timestamp = TakeTimestampField(
        min_value=0, max_value=MAX_RECORDING_SECONDS, help_text="Seconds from the recording's start."
    )
    cursorPosition = PositionField(required=False, allow_null=True, default=None)  # noqa: N815 (the recorder's name)
    scrollPosition = PositionField(required=False, allow_null=True, default=None)  # noqa: N815


SNAPSHOT_ITEM_DOC = (
    "A snapshot: {code: string, timestamp: seconds from the take's start (0..86400), "
    "cursorPosition?: {lineNumber, column}, scrollPosition?: {scrollTop, scrollLeft, timestamp?}}. "
    "Any item is accepted at the HTTP level: an invalid one is not stored and is reported in `rejected`."
)


@extend_schema_field(
    {"type": "array", "maxItems": MAX_SNAPSHOTS_PER_BATCH, "items": {"description": SNAPSHOT_ITEM_DOC}}
)
class SnapshotListField(BatchListField):
    pass


class SnapshotBatchInputSerializer(serializers.Serializer):
    title = serializers.CharField(
        required=False, max_length=200, help_text="Links the batch to the upload with this title."
    )
    recording_id = serializers.CharField(required=False, max_length=20, help_text="REC-… id (or numeric id).")
    batch_id = serializers.CharField(
        required=False, max_length=64, help_text="Client id of this batch; a re-sent batch is stored once."
    )
    snapshots = SnapshotListField(child=SnapshotInputSerializer(), max_length=MAX_SNAPSHOTS_PER_BATCH, allow_empty=True)

    def validate(self, attrs):
        if not attrs.get("title") and not attrs.get("recording_id") and not self.context.get("recording_id"):
            raise serializers.ValidationError({"title": ["Send the recording's title or its recording_id."]})
        return attrs


class WindowQuerySerializer(StrictQuerySerializer):
    from_ = serializers.FloatField(required=False, min_value=0, help_text="Window start, seconds.")
    to = serializers.FloatField(required=False, min_value=0, help_text="Window end, seconds.")
    encoding = serializers.ChoiceField(
        choices=["full", "delta"],
        required=False,
        default="full",
        help_text=(
            "full: every snapshot carries `code`. delta: within each stored chunk (≤60 snapshots) the "
            "first carries `code`, the next ones `delta` = [prefix, suffix, text] against the previous "
            "snapshot: code = previous[:prefix] + text + previous[len(previous) - suffix:]."
        ),
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        for key in ("from", "to"):
            if key in attrs:
                _finite(attrs[key], field=key)
        if "from" in attrs and "to" in attrs and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": ["`to` must not be before `from`."]})
        return attrs


class DetailQuerySerializer(WindowQuerySerializer):
    mode = serializers.ChoiceField(
        choices=["full", "audio"],
        required=False,
        default="full",
        help_text="audio: low-bandwidth mode, only the audio track and the code timeline (no video renditions).",
    )


class RecordingListQuerySerializer(StrictQuerySerializer):
    status = serializers.ChoiceField(
        choices=["awaiting_upload", "uploaded", "processing", "ready", "failed"], required=False
    )
    published = serializers.BooleanField(required=False, allow_null=True, default=None)
    lesson = serializers.CharField(required=False, max_length=20)
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class CaptionInputSerializer(serializers.Serializer):
    language = MediaLanguageField()
    file = serializers.FileField(help_text="WebVTT (.vtt), UTF-8.")


class BundleQuerySerializer(StrictQuerySerializer):
    rung = serializers.RegexField(
        r"^(none|\d{2,4}p)$", required=False, default="none", help_text="Video rung to include (e.g. 240p), or none."
    )


# --- responses -----------------------------------------------------------------------


class FileUrlField(serializers.CharField):
    """The URL of a stored file (absolute: see core/public_urls.py); a string in the schema."""

    def to_representation(self, value) -> str:
        return value.url


class RecordingLinkField(serializers.CharField):
    """The absolute URL of one of the recording's endpoints, from its ``recording_id``."""

    def __init__(self, endpoint: str, **kwargs):
        self.endpoint = endpoint
        super().__init__(source="recording_id", **kwargs)

    def to_representation(self, recording_id) -> str:
        return absolute_url(f"/api/recordings/{recording_id}/{self.endpoint}/")


class RenditionSerializer(serializers.Serializer):
    rung = serializers.CharField(source="label")
    url = FileUrlField(source="file")
    size_bytes = serializers.IntegerField()
    bitrate_kbps = serializers.IntegerField()
    duration = serializers.FloatField(allow_null=True, help_text="Seconds, measured on this rendition.")
    height = serializers.IntegerField()
    width = serializers.IntegerField()
    mime_type = serializers.CharField()


class CaptionSerializer(serializers.Serializer):
    language = serializers.CharField(source="label")
    url = FileUrlField(source="file")
    size_bytes = serializers.IntegerField()


class SnapshotSerializer(serializers.Serializer):
    timestamp = serializers.FloatField()
    code = serializers.CharField(required=False, help_text="Full code (always with encoding=full).")
    delta = serializers.ListField(
        child=serializers.JSONField(), required=False, min_length=3, max_length=3, help_text="[prefix, suffix, text]"
    )
    cursorPosition = serializers.JSONField(allow_null=True)  # noqa: N815
    scrollPosition = serializers.JSONField(allow_null=True)  # noqa: N815


class SnapshotsField(serializers.ListField):
    """Snapshots as video_tutorials.timeline decodes them, already in ``SnapshotSerializer``'s
    shape: passed through as they are (a long timeline is thousands of them)."""

    child = SnapshotSerializer()

    def to_representation(self, snapshots) -> list[dict]:
        return snapshots


# Base of every shape of a recording: the media fields read ``recording.media``, its
# prefetched assets grouped once here. Context: ``mode`` ("audio": no video renditions),
# ``include_original`` (admins may preview the uploaded file).
class RecordingShapeSerializer(serializers.Serializer):
    def to_representation(self, recording):
        recording.media = recording_media(
            recording,
            audio_only=self.context.get("mode") == "audio",
            include_original=self.context.get("include_original", False),
        )
        return super().to_representation(recording)


class RecordingSummarySerializer(RecordingShapeSerializer):
    id = serializers.IntegerField()
    recording_id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    progress = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    is_published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    duration = serializers.FloatField(allow_null=True)
    language = serializers.CharField()
    lesson_id = serializers.CharField(source="lesson.lesson_id", allow_null=True)
    lesson_title = serializers.CharField(source="lesson.title", allow_null=True)
    poster_url = FileUrlField(source="media.poster.file", allow_null=True)
    video_url = FileUrlField(source="media.video.file", allow_null=True)
    snapshot_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TimelineInfoSerializer(serializers.Serializer):
    encoding = serializers.CharField()
    start = serializers.FloatField(allow_null=True)
    end = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


# Context: ``timeline`` (a selectors.TimelineWindow), ``mode``, ``include_original``.
# (Comments, not docstrings: a serializer's docstring becomes its description in the schema.)
class RecordingDetailSerializer(RecordingSummarySerializer):
    original_url = FileUrlField(
        source="media.original", allow_null=True, help_text="Admins only; null for everyone else."
    )
    renditions = RenditionSerializer(source="media.renditions", many=True)
    audio = RenditionSerializer(source="media.audio", allow_null=True)
    captions = CaptionSerializer(source="media.captions", many=True)
    subtitles_url = FileUrlField(source="media.subtitles.file", allow_null=True)
    snapshots_url = RecordingLinkField("timeline")
    bundle_url = RecordingLinkField("bundle")
    timeline = TimelineInfoSerializer(source="timeline_window")
    snapshots = SnapshotsField(source="timeline_window.snapshots")

    def to_representation(self, recording):
        recording.timeline_window = self.context["timeline"]
        return super().to_representation(recording)


class RecordingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = RecordingSummarySerializer(many=True)


# Reads a selectors.TimelineWindow.
class TimelineSerializer(serializers.Serializer):
    recording_id = serializers.CharField()
    timeline = TimelineInfoSerializer(source="*")
    snapshots = SnapshotsField()


class SnapshotBatchResultSerializer(serializers.Serializer):
    recording_id = serializers.CharField()
    id = serializers.IntegerField()
    received = serializers.IntegerField(help_text="Snapshots in the request, valid or not.")
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Valid snapshots already stored (a re-send).")
    duplicate_batch = serializers.BooleanField()
    rejected = RejectedItemSerializer(
        many=True, help_text="Snapshots not stored, by their index in the request, with the reason."
    )
    snapshot_count = serializers.IntegerField()


# The ``videos[]`` item of a lesson (admin SPA and the student player): the one lesson-video shape.
class LessonVideoSerializer(RecordingShapeSerializer):
    id = serializers.IntegerField()
    recording_id = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    is_published = serializers.BooleanField()
    video_url = FileUrlField(source="media.playable", allow_null=True)
    subtitles_url = FileUrlField(source="media.subtitles.file", allow_null=True)
    duration = serializers.FloatField(allow_null=True)
    language = serializers.CharField()
    poster_url = FileUrlField(source="media.poster.file", allow_null=True)
    renditions = RenditionSerializer(source="media.renditions", many=True)
    audio_url = FileUrlField(source="media.audio.file", allow_null=True)
    snapshots_url = RecordingLinkField("timeline")
    bundle_url = RecordingLinkField("bundle")


RecordingEnvelope = envelope_serializer("RecordingEnvelope", RecordingSummarySerializer())
RecordingDetailEnvelope = envelope_serializer("RecordingDetailEnvelope", RecordingDetailSerializer())
RecordingPageEnvelope = envelope_serializer("RecordingPageEnvelope", RecordingPageSerializer())
TimelineEnvelope = envelope_serializer("TimelineEnvelope", TimelineSerializer())
SnapshotBatchEnvelope = envelope_serializer("SnapshotBatchEnvelope", SnapshotBatchResultSerializer())
LessonVideoEnvelope = envelope_serializer("LessonVideoEnvelope", LessonVideoSerializer())
CaptionEnvelope = envelope_serializer("CaptionEnvelope", CaptionSerializer())
CaptionListEnvelope = envelope_serializer("CaptionListEnvelope", CaptionSerializer(many=True))
