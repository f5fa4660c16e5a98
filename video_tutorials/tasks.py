"""Celery tasks of recordings: thin wrappers that load by id and call a service.

``acks_late`` + ``reject_on_worker_lost``: a worker killed mid-transcode leaves the
message unacknowledged, so the broker hands it to another worker; the service is
idempotent (a re-run replaces the derived files, never duplicates them).
"""

from celery import shared_task

from . import rendered, transcode_jobs


@shared_task(name="video_tutorials.tasks.transcode_recording", acks_late=True, reject_on_worker_lost=True)
def transcode_recording(recording_pk: int, force: bool = False) -> str | None:
    """``force`` re-transcodes a recording that is already ready; without it a redelivered
    message for a finished transcode is a no-op."""
    recording = transcode_jobs.recording_transcode(recording_pk=recording_pk, force=force)
    return recording.status if recording else None


@shared_task(name="video_tutorials.tasks.sweep_stale_transcodes", acks_late=True)
def sweep_stale_transcodes() -> list[int]:
    return transcode_jobs.transcodes_sweep_stale()


@shared_task(name="video_tutorials.tasks.warm_recording_json")
def warm_recording_json(recording_pk: int, base: str = "") -> int:
    return rendered.warm(recording_pk, base=base)
