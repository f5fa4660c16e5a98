"""The batch ids of every recording survive their move from a JSON list to their own table."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("video_tutorials", "0005_projects_moved_to_their_app")]
AFTER = [("video_tutorials", "0006_snapshot_batches")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_batch_ids_move_to_the_table_and_back():
    old = migrate(BEFORE)
    recording = old.get_model("video_tutorials", "Recording").objects.create(
        title="Take", recording_id="REC-MOVE", snapshot_batch_ids=["b1", "b2", "b2", "b3"]
    )
    old.get_model("video_tutorials", "Recording").objects.create(title="No batches", recording_id="REC-NONE")

    new = migrate(AFTER)
    rows = new.get_model("video_tutorials", "SnapshotBatch").objects.order_by("batch_id")
    assert list(rows.values_list("recording_id", "batch_id")) == [
        (recording.pk, "b1"),
        (recording.pk, "b2"),
        (recording.pk, "b3"),
    ]

    back = migrate(BEFORE)
    kept = back.get_model("video_tutorials", "Recording").objects.get(pk=recording.pk).snapshot_batch_ids
    assert sorted(kept) == ["b1", "b2", "b3"]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
