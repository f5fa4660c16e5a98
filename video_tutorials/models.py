"""Recordings: video renditions and the code timeline that replays beside them."""

from django.conf import settings
from django.db import models

from core.ids import new_public_id


def new_recording_id() -> str:
    return new_public_id("REC")


class Recording(models.Model):
    """A recorded lesson: the uploaded original, its transcoded assets and its code timeline.

    ``content_version`` is bumped by every change a client could see (timeline,
    assets, captions, publication), so it doubles as the ETag of every read.
    """

    class Status(models.TextChoices):
        AWAITING_UPLOAD = "awaiting_upload", "Awaiting upload"  # snapshots arrived first
        UPLOADED = "uploaded", "Uploaded"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    recording_id = models.CharField(max_length=20, unique=True, default=new_recording_id, editable=False)
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.SET_NULL, null=True, blank=True, related_name="recordings"
    )
    title = models.CharField(max_length=200, db_index=True)
    description = models.TextField(blank=True)
    language = models.CharField(max_length=16, default="en")
    original = models.FileField(upload_to="recordings/", max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    original_size_bytes = models.PositiveBigIntegerField(default=0)
    declared_duration = models.FloatField(null=True, blank=True, help_text="Seconds, as the recorder sent it.")
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, measured by ffprobe.")
    source_width = models.PositiveIntegerField(default=0)
    source_height = models.PositiveIntegerField(default=0)
    has_video = models.BooleanField(default=False)
    has_audio = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED, db_index=True)
    error = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    transcode_attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    # Empty while no transcode task is known to be queued (the broker was down when one
    # was due): the sweep queues those at once instead of waiting for them to look stale.
    transcode_queued_at = models.DateTimeField(null=True, blank=True)
    is_published = models.BooleanField(default=False, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set once the enrolled students were told: a re-publish or a concurrent publish never tells them twice.
    notified_at = models.DateTimeField(null=True, blank=True)
    # When the original arrived: title-only snapshot batches that come late (the last one in
    # flight, a re-send after a network cut) still find their take for a few minutes.
    uploaded_at = models.DateTimeField(null=True, blank=True)
    snapshot_count = models.PositiveIntegerField(default=0)
    timeline_bytes = models.PositiveBigIntegerField(default=0)
    content_version = models.PositiveIntegerField(default=1)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lesson", "is_published", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="recording_progress_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.recording_id})"


class RecordingAsset(models.Model):
    """One derived file of a recording: a video rung, the audio-only track, the poster
    or a caption track. One table, so a recording's media is one query."""

    class Kind(models.TextChoices):
        VIDEO = "video", "Video rung"
        AUDIO = "audio", "Audio only"
        POSTER = "poster", "Poster"
        CAPTION = "caption", "Captions (WebVTT)"

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # "240p", "audio", "poster", or the caption's language.
    label = models.CharField(max_length=16)
    file = models.FileField(upload_to="recordings/", max_length=300)
    mime_type = models.CharField(max_length=64)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    bitrate_kbps = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, measured on the rendition itself.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recording", "kind", "height", "label"]
        constraints = [
            models.UniqueConstraint(fields=["recording", "kind", "label"], name="recording_asset_unique_label"),
        ]

    def __str__(self) -> str:
        return f"{self.recording_id} {self.kind} {self.label}"


class SnapshotChunk(models.Model):
    """A run of consecutive code snapshots: the first in full (a keyframe), each next one
    as a text delta against the one before. See video_tutorials.timeline."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="snapshot_chunks")
    start_time = models.FloatField()
    end_time = models.FloatField()
    count = models.PositiveIntegerField()
    data = models.TextField(help_text="JSON: keyframe, deltas, timestamps, cursors, scrolls.")

    class Meta:
        ordering = ["recording", "start_time", "id"]
        indexes = [models.Index(fields=["recording", "start_time"])]

    def __str__(self) -> str:
        return f"{self.recording_id} [{self.start_time}–{self.end_time}] ×{self.count}"


class SnapshotBatch(models.Model):
    """A client batch id already stored for a recording, so a re-sent batch is stored once."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="snapshot_batches")
    batch_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recording", "batch_id"], name="snapshot_batch_unique_per_recording"),
        ]

    def __str__(self) -> str:
        return f"{self.recording_id} batch {self.batch_id}"
