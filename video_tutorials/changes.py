"""Every change a client can see of a recording goes through here: the content_version bump."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Recording


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
