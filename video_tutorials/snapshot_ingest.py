"""Code snapshot batches into a recording's timeline: found by id or title, stored once, in time order."""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.utils import timezone
from rest_framework.exceptions import NotFound

from core.ids import public_id_or_pk

from .models import Recording, SnapshotBatch, SnapshotChunk
from .timeline import CHUNK_SIZE, Snapshot, decode_chunk, encode_chunk, split_into_chunks

# What ingesting needs of the recording row, read with the row lock.
SNAPSHOT_FIELDS = ("pk", "recording_id", "snapshot_count", "duration", "declared_duration")
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


def open_takes(queryset, *, title: str):
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


def _locked_for_ingest(batch_id: str | None):
    """Recordings as ingesting reads them, row-locked, each with ``batch_seen``: whether
    this batch id is already stored (a subquery of the same SELECT, so no extra query)."""
    seen = SnapshotBatch.objects.filter(recording=OuterRef("pk"), batch_id=batch_id) if batch_id else None
    return (
        Recording.objects.select_for_update()
        .only(*SNAPSHOT_FIELDS)
        .annotate(batch_seen=Exists(seen) if seen is not None else Value(False))
    )


def _recording_for_snapshots_locked(
    *, recording_key: str | None, title: str | None, incoming: list[Snapshot], batch_id: str | None
) -> Recording:
    """The recording a snapshot batch belongs to, locked (call inside transaction.atomic()):
    by id, else by title (the old recorder's way): the open take of that title (one query);
    else a take uploaded minutes ago whose late batch this is; else a new take, which
    the upload will then join. A finished take never gets the next take's snapshots."""
    locked = _locked_for_ingest(batch_id)
    if recording_key:
        # Not access_recording: the lookup is also the row lock (one query), and only admins send batches.
        recording = locked.filter(**public_id_or_pk(recording_key, public_field="recording_id")).first()
        if recording is None:
            raise NotFound("No recording with this id.")
        return recording
    recording = open_takes(locked, title=title).first()
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
    recording = Recording.objects.create(title=title, status=Recording.Status.AWAITING_UPLOAD)
    recording.batch_seen = False
    return recording


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
    in the same query, so a batch costs four queries, five with a new batch id (one more
    when it creates the recording). ``positions`` are the snapshots' indexes in the request
    (the serializer dropped the invalid ones), so what this refuses is reported by the
    index the client sent."""
    incoming = _snapshots_sorted(snapshots, positions)

    def ingest() -> tuple[Recording, dict]:
        with transaction.atomic():
            recording = _recording_for_snapshots_locked(
                recording_key=recording_key, title=title, incoming=incoming, batch_id=batch_id
            )
            return recording, _snapshots_ingest_locked(
                recording=recording, incoming=incoming, batch_id=batch_id, within_take_length=True
            )

    return _again_if_the_batch_was_claimed_meanwhile(ingest)


def snapshots_ingest(*, recording: Recording, snapshots: list[dict], batch_id: str | None = None) -> dict:
    """Add a batch to the recording's timeline, once.

    A batch id seen before, or a snapshot equal to a stored one (same timestamp and
    code), is not stored again. Batches may arrive out of order: only the chunks from
    the first affected one onward are rewritten. Four queries whatever the batch size,
    five when it has a new batch id. Server-side callers (demo data, tools) are trusted
    with their timestamps; the recorder's HTTP batches also have to fit the take
    (``snapshot_batch_ingest``).
    """
    incoming = _snapshots_sorted(snapshots)

    def ingest() -> dict:
        with transaction.atomic():
            locked = _locked_for_ingest(batch_id).get(pk=recording.pk)
            return _snapshots_ingest_locked(recording=locked, incoming=incoming, batch_id=batch_id)

    return _again_if_the_batch_was_claimed_meanwhile(ingest)


def _again_if_the_batch_was_claimed_meanwhile(ingest):
    """Run ``ingest``; once more if its batch id was stored by a concurrent send of the same
    batch. On PostgreSQL the locking SELECT's "batch seen?" subquery reads the table as it
    was when the statement started, so a send that waited for the row lock can miss the
    id the other send committed; its INSERT then hits the unique constraint, everything it
    wrote is rolled back, and the second run sees the id and stores nothing."""
    try:
        return ingest()
    except IntegrityError:
        return ingest()


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
    """Queries: the batch id (when new), the chunks taken, the chunks written, the recording's counters.
    ``within_take_length``: snapshots far past the end of a take whose length is known
    are reported in ``rejected`` and not stored; the rest of the batch is."""
    if batch_id and recording.batch_seen:
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
    if batch_id:  # before the chunks: a send that lost the race for this id gives up early
        SnapshotBatch.objects.create(recording_id=recording.pk, batch_id=batch_id)
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
    Recording.objects.filter(pk=recording.pk).update(
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
