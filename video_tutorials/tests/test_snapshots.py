"""Snapshot batches: stored once, in time order, compactly, rebuilt exactly."""

import json
import math
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from video_tutorials import snapshot_ingest
from video_tutorials.models import Recording, SnapshotBatch, SnapshotChunk
from video_tutorials.selectors import timeline_window
from video_tutorials.serializers import SnapshotBatchInputSerializer
from video_tutorials.timeline import CHUNK_SIZE, Snapshot, apply_delta, decode_chunk, encode_chunk, text_delta

from .conftest import make_snapshots

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("", "abc"),
        ("abc", ""),
        ("line one\r\nline two\r\n", "line one\r\nline 2\r\n"),
        ("héllo wörld ✓", "héllo brave wörld ✓ 🎉"),
        ("aaaa", "aaaaaa"),
        ("<p>x</p>" * 400, "<p>x</p>" * 200 + "<b>!</b>" + "<p>x</p>" * 200),
        ("\ud83c\udf89 mixed \r \n \r\n", "\r\n"),
    ],
)
def test_text_delta_round_trips_exactly(old, new):
    assert apply_delta(old, text_delta(old, new)) == new


def test_chunks_round_trip_unicode_crlf_and_positions():
    snapshots = [Snapshot(i / 3, c, {"lineNumber": i}, None) for i, c in enumerate(["", "a\r\n", "a\r\nб", "🎉\r\n"])]
    assert decode_chunk(encode_chunk(snapshots)) == snapshots


def recording():
    return Recording.objects.create(title="t", status=Recording.Status.AWAITING_UPLOAD)


def stored_codes(rec) -> list[str]:
    return [s["code"] for s in timeline_window(recording=rec, start=None, end=None, delta=False)]


def test_resent_batch_and_duplicate_snapshots_are_stored_once():
    rec = recording()
    batch = make_snapshots(10)
    assert snapshot_ingest.snapshots_ingest(recording=rec, snapshots=batch, batch_id="b1")["stored"] == 10
    again = snapshot_ingest.snapshots_ingest(recording=rec, snapshots=batch, batch_id="b1")
    assert again["duplicate_batch"] and again["stored"] == 0
    # Same content re-sent without a batch id: de-duplicated on (timestamp, code).
    assert snapshot_ingest.snapshots_ingest(recording=rec, snapshots=batch[5:])["stored"] == 0
    rec.refresh_from_db()
    assert rec.snapshot_count == 10 and stored_codes(rec) == [s["code"] for s in batch]


def test_out_of_order_batches_end_up_in_time_order():
    rec = recording()
    sent = make_snapshots(200)
    for part in (sent[150:], sent[:40], sent[90:150], sent[40:90]):
        snapshot_ingest.snapshots_ingest(recording=rec, snapshots=list(reversed(part)))
    assert stored_codes(rec) == [s["code"] for s in sent]
    assert SnapshotChunk.objects.filter(recording=rec).count() <= 200 // CHUNK_SIZE + 4


def test_a_database_without_delete_returning_builds_the_same_timeline(monkeypatch):
    """SQLite before 3.35 has no RETURNING: the read-then-delete path keeps every guarantee."""
    monkeypatch.setattr(snapshot_ingest, "_delete_returning_supported", lambda: False)
    rec = recording()
    sent = make_snapshots(200)
    for part in (sent[150:], sent[:40], sent[90:150], sent[40:90], sent[:40]):
        snapshot_ingest.snapshots_ingest(recording=rec, snapshots=list(reversed(part)))
    rec.refresh_from_db()
    assert stored_codes(rec) == [s["code"] for s in sent] and rec.snapshot_count == 200


def test_small_batches_fill_chunks_instead_of_adding_keyframes():
    rec = recording()
    sent = make_snapshots(3 * CHUNK_SIZE)
    for i in range(0, len(sent), 2):
        snapshot_ingest.snapshots_ingest(recording=rec, snapshots=sent[i : i + 2], batch_id=f"b{i}")
    assert SnapshotChunk.objects.filter(recording=rec).count() == 3
    assert stored_codes(rec) == [s["code"] for s in sent]


def test_timeline_is_stored_in_a_tenth_of_full_copies():
    rec = recording()
    sent = make_snapshots(600)
    snapshot_ingest.snapshots_ingest(recording=rec, snapshots=sent)
    rec.refresh_from_db()
    full = sum(len(s["code"].encode()) for s in sent)
    assert rec.timeline_bytes * 10 <= full


def test_ingest_of_a_large_batch_takes_at_most_four_queries():
    rec = recording()
    snapshot_ingest.snapshots_ingest(recording=rec, snapshots=make_snapshots(30))
    with CaptureQueriesContext(connection) as queries:
        snapshot_ingest.snapshots_ingest(recording=rec, snapshots=make_snapshots(1000, start=100))
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 4, statements


def test_ingest_of_a_batch_with_a_new_batch_id_takes_at_most_five_queries(django_assert_max_num_queries):
    rec = recording()
    snapshot_ingest.snapshots_ingest(recording=rec, snapshots=make_snapshots(30), batch_id="first")
    with CaptureQueriesContext(connection) as queries:
        snapshot_ingest.snapshots_ingest(recording=rec, snapshots=make_snapshots(1000, start=100), batch_id="second")
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 5, statements


def test_a_batch_sent_three_times_is_stored_once_and_its_id_kept_once():
    rec = recording()
    batch = make_snapshots(25)
    results = [snapshot_ingest.snapshots_ingest(recording=rec, snapshots=batch, batch_id="b1") for _ in range(3)]
    assert [r["stored"] for r in results] == [25, 0, 0]
    assert [r["duplicate_batch"] for r in results] == [False, True, True]
    rec.refresh_from_db()
    assert rec.snapshot_count == 25 and stored_codes(rec) == [s["code"] for s in batch]
    assert list(SnapshotBatch.objects.filter(recording=rec).values_list("batch_id", flat=True)) == ["b1"]


def test_a_send_that_missed_the_concurrent_claim_of_its_batch_id_stores_nothing(monkeypatch):
    """What PostgreSQL does to a send that waited for the row lock: its "batch seen?" was
    read before the other send committed. Its claim fails, and the re-run stores nothing."""
    rec = recording()
    batch = make_snapshots(10)
    snapshot_ingest.snapshots_ingest(recording=rec, snapshots=batch, batch_id="b1")
    real = snapshot_ingest._locked_for_ingest
    stale = iter([True])
    monkeypatch.setattr(
        snapshot_ingest, "_locked_for_ingest", lambda batch_id: real(None if next(stale, False) else batch_id)
    )
    again = snapshot_ingest.snapshots_ingest(recording=rec, snapshots=make_snapshots(5, start=50), batch_id="b1")
    assert again["duplicate_batch"] and again["stored"] == 0
    rec.refresh_from_db()
    assert rec.snapshot_count == 10 and stored_codes(rec) == [s["code"] for s in batch]


def page_snapshots(count: int, *, start: float = 0.0) -> list[dict]:
    """A page of constant size (~1 KB) edited once a second, as the recorder sends it."""
    return [{"code": f"<p>line {i}</p>\r\n" * 60, "timestamp": start + i} for i in range(count)]


def test_http_batch_of_1000_is_six_queries_counting_the_user_lookup(admin_client, django_assert_num_queries):
    rec = recording()
    first, big = page_snapshots(30), page_snapshots(1000, start=100)
    snapshot_ingest.snapshots_ingest(recording=rec, snapshots=first)
    body = {"recording_id": rec.recording_id, "batch_id": "big", "snapshots": big}
    # 6 statements, plus the SAVEPOINT/RELEASE that the test's own transaction makes of
    # the service's atomic block (in production: BEGIN/COMMIT).
    with django_assert_num_queries(8) as captured:
        response = admin_client.post("/api/save-code-snapshots/", body, format="json")
    assert response.status_code == 200, response.content
    statements = [
        q["sql"].split(" ", 1)[0]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # The admin (JWT), the recording found and locked (with "batch seen?"), the batch id,
    # the chunks taken, written, the counters.
    assert statements == ["SELECT", "SELECT", "INSERT", "DELETE", "INSERT", "UPDATE"]
    assert response.json() == {
        "message": "Snapshots saved.",
        "data": {
            "recording_id": rec.recording_id,
            "id": rec.pk,
            "received": 1000,
            "stored": 1000,
            "duplicates": 0,
            "duplicate_batch": False,
            "rejected": [],
            "snapshot_count": 1030,
        },
    }
    with django_assert_num_queries(4):  # re-sent: the user, the recording; nothing written
        again = admin_client.post("/api/save-code-snapshots/", body, format="json")
    assert again.json()["data"] == {
        "recording_id": rec.recording_id,
        "id": rec.pk,
        "received": 1000,
        "stored": 0,
        "duplicates": 1000,
        "duplicate_batch": True,
        "rejected": [],
        "snapshot_count": 1030,
    }
    assert stored_codes(rec) == [s["code"] for s in first + big]


def test_http_batches_by_title_out_of_order_and_resent_build_one_timeline(admin_client):
    sent = page_snapshots(200)
    parts = [sent[150:], sent[:40], sent[90:150], sent[40:90], sent[60:120]]  # the last: content re-sent
    results = []
    for part in parts:
        body = {"title": "Lesson", "snapshots": list(reversed(part))}
        response = admin_client.post("/api/save-code-snapshots/", body, format="json")
        assert response.status_code == 200, response.content
        results.append(response.json()["data"])
    assert [r["stored"] for r in results] == [50, 40, 60, 50, 0]
    assert [r["snapshot_count"] for r in results] == [50, 90, 150, 200, 200]
    rec = Recording.objects.get()
    assert stored_codes(rec) == [s["code"] for s in sent]
    assert rec.snapshot_count == 200 and rec.content_version == 5  # the re-send changed nothing
    chunks = SnapshotChunk.objects.filter(recording=rec)
    assert rec.timeline_bytes == sum(len(data.encode()) for data in chunks.values_list("data", flat=True))


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_are_each_stored_once_in_time_order():
    rec = recording()
    sent = page_snapshots(240)
    batches = [(f"b{i}", sent[i : i + 20]) for i in range(0, len(sent), 20)]
    jobs = batches * 2  # every batch sent twice, all at the same time, in any order
    random.Random(7).shuffle(jobs)

    def send(job) -> int:
        batch_id, snapshots = job
        try:
            _, result = snapshot_ingest.snapshot_batch_ingest(
                recording_key=rec.recording_id, title=None, snapshots=snapshots, batch_id=batch_id
            )
            return result["stored"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        stored = list(pool.map(send, jobs))
    assert sum(stored) == len(sent)
    rec.refresh_from_db()
    assert rec.snapshot_count == len(sent) and sorted(
        rec.snapshot_batches.values_list("batch_id", flat=True)
    ) == sorted(b for b, _ in batches)
    assert stored_codes(rec) == [s["code"] for s in sent]


@pytest.mark.parametrize(
    ("snapshot", "code"),
    [
        ({"code": "x", "timestamp": "soon"}, "invalid"),
        ({"code": "x", "timestamp": -1}, "negative_timestamp"),
        ({"code": "x", "timestamp": -0.001}, "negative_timestamp"),
        ({"code": "x", "timestamp": False}, "invalid"),
        ({"code": "x", "timestamp": "1.5"}, "invalid"),
        ({"code": "x", "timestamp": 86400.5}, "beyond_recording"),
        ({"code": "x", "timestamp": 1e300}, "beyond_recording"),
        ({"code": "x", "timestamp": 1796160513020}, "absolute_time"),  # Date.now(), milliseconds
        ({"code": "x", "timestamp": 1796160513.02}, "absolute_time"),
        ({"code": "x"}, "required"),
        ({"code": 5, "timestamp": 1}, "invalid"),
        ({"code": "x" * (10 * 1024 * 1024), "timestamp": 1}, "max_length"),
        ({"code": "x", "timestamp": 1, "cursorPosition": "line 3"}, "invalid"),
        ({"code": "x", "timestamp": 1, "cursorPosition": {"lineNumber": "3"}}, "invalid"),
        ({"code": "x", "timestamp": 1, "cursorPosition": {"\ud800": 1}}, "invalid"),
        ({"code": "x", "timestamp": 1, "scrollPosition": {"scroll\udfffTop": 1}}, "invalid"),
        ({"code": "x", "timestamp": 1, "cursorPosition": {"line number": 1}}, "invalid"),
        ({"code": "\ud800", "timestamp": 1}, "surrogate_characters_not_allowed"),
        ("not a snapshot", "invalid"),
        (None, "null"),
    ],
)
def test_a_bad_snapshot_is_reported_by_index_and_its_neighbours_are_stored(admin_client, snapshot, code):
    good = [{"code": "<p>a</p>", "timestamp": 0.5}, {"code": "<p>ab</p>", "timestamp": 1.25}]
    # json.dumps escapes lone surrogates ("\ud800"), as a browser's JSON.stringify does.
    body = json.dumps({"title": "t", "snapshots": [good[0], snapshot, good[1]]})
    response = admin_client.post("/api/save-code-snapshots/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["received"] == 3 and data["stored"] == 2 and data["duplicates"] == 0
    assert [(item["index"], item["code"]) for item in data["rejected"]] == [(1, code)]
    assert data["rejected"][0]["reason"]
    assert "1 not stored" in response.json()["message"]
    assert stored_codes(Recording.objects.get()) == ["<p>a</p>", "<p>ab</p>"]


def test_non_finite_timestamps_are_reported(admin_client):
    # Strict JSON has no NaN/Infinity: such a body is not JSON at all (a 400 for the whole
    # body), but a parser that allows them must still never store one.
    body = '{"title": "t", "snapshots": [{"code": "a", "timestamp": NaN}]}'
    response = admin_client.post("/api/save-code-snapshots/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    serializer = SnapshotBatchInputSerializer(
        data={"title": "t", "snapshots": [{"code": "a", "timestamp": math.nan}, {"code": "b", "timestamp": math.inf}]}
    )
    assert serializer.is_valid(), serializer.errors
    assert list(serializer.validated_data["snapshots"]) == []
    assert [item["code"] for item in serializer.validated_data["snapshots"].rejected] == ["not_finite", "not_finite"]


def test_the_studios_second_take_keeps_its_timeline_despite_an_absolute_epoch_snapshot(admin_client):
    """CLIENT_CONTRACT.md: a second take's first snapshot carries the wall clock (~1.8e9 s);
    after a failed batch the studio appends the failed snapshots to its next one."""
    epoch = {"code": "", "timestamp": 1796160513.02, "cursorPosition": {"lineNumber": 1, "column": 1}}
    valid = [
        {
            "code": "<h1>Hello</h1>"[: 1 + i % 14] + f"<!-- {i} -->",
            "timestamp": 0.4 + i * 0.7,
            "cursorPosition": {"lineNumber": 1, "column": 1 + i % 14},
            "scrollPosition": {"scrollTop": 0, "scrollLeft": 0, "timestamp": 1796160513.02 + i},
        }
        for i in range(60)
    ]
    first = admin_client.post(
        "/api/save-code-snapshots/", {"title": "New Recording", "snapshots": [epoch, *valid]}, format="json"
    )
    assert first.status_code == 200, first.content
    data = first.json()["data"]
    assert data["stored"] == 60 and data["received"] == 61
    assert [(item["index"], item["code"]) for item in data["rejected"]] == [(0, "absolute_time")]
    assert "clock time" in data["rejected"][0]["reason"] and "2026-" in data["rejected"][0]["reason"]
    # Re-sent twice, with duplicates, out of order, the epoch snapshot in a new place each time.
    shuffled = [*valid[40:], epoch, *valid[:40], *valid[10:20]]
    random.Random(3).shuffle(shuffled)
    for batch in (shuffled, list(reversed(shuffled))):
        again = admin_client.post(
            "/api/save-code-snapshots/", {"title": "New Recording", "snapshots": batch}, format="json"
        )
        assert again.status_code == 200, again.content
        again_data = again.json()["data"]
        assert again_data["stored"] == 0 and again_data["duplicates"] == 70
        assert [item["index"] for item in again_data["rejected"]] == [batch.index(epoch)]
    rec = Recording.objects.get()
    rec.refresh_from_db()
    assert rec.snapshot_count == 60
    assert stored_codes(rec) == [s["code"] for s in valid]


def test_snapshots_far_past_the_end_of_an_uploaded_take_are_reported(admin_client):
    from django.utils import timezone

    rec = Recording.objects.create(
        title="t", status=Recording.Status.UPLOADED, duration=9.5, declared_duration=9.6, uploaded_at=timezone.now()
    )
    snapshots = [{"code": "a", "timestamp": 1}, {"code": "b", "timestamp": 9.4}, {"code": "c", "timestamp": 30}]
    snapshots.append({"code": "d", "timestamp": 95})  # > 9.5 s + 60 s of slack
    body = {"recording_id": rec.recording_id, "snapshots": snapshots}
    response = admin_client.post("/api/save-code-snapshots/", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["stored"] == 3 and data["snapshot_count"] == 3
    assert [(item["index"], item["code"]) for item in data["rejected"]] == [(3, "past_take_end")]
    assert stored_codes(rec) == ["a", "b", "c"]


def test_a_batch_that_is_not_a_list_or_too_long_is_still_a_400(admin_client):
    from video_tutorials.serializers import MAX_SNAPSHOTS_PER_BATCH

    for snapshots in (
        "abc",
        {"code": "x", "timestamp": 1},
        [{"code": "", "timestamp": 1}] * (MAX_SNAPSHOTS_PER_BATCH + 1),
    ):
        response = admin_client.post("/api/save-code-snapshots/", {"title": "t", "snapshots": snapshots}, format="json")
        assert response.status_code == 400, response.content
        assert set(response.json()) == {"detail", "code", "errors"} and "snapshots" in response.json()["errors"]
    assert not SnapshotChunk.objects.exists()


def test_unknown_recording_id_is_404_and_missing_target_is_400(admin_client):
    body = {"recording_id": "REC-NOPE0000-00", "snapshots": make_snapshots(1)}
    assert admin_client.post("/api/save-code-snapshots/", body, format="json").status_code == 404
    assert admin_client.post("/api/recordings/999999/snapshots/", {"snapshots": []}, format="json").status_code == 404
    assert admin_client.post("/api/save-code-snapshots/", {"snapshots": []}, format="json").status_code == 400


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_only_admins_send_snapshots(client_for, make_user, api_client, role):
    body = {"title": "t", "snapshots": make_snapshots(1)}
    assert client_for(make_user(role)).post("/api/save-code-snapshots/", body, format="json").status_code == 403
    assert api_client.post("/api/save-code-snapshots/", body, format="json").status_code == 401
    assert not Recording.objects.exists()
