"""Batch ids move from the JSON list on Recording to their own table (one row per batch)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

# What the old list kept (the newest ids): the reverse migration writes back no more.
MAX_BATCH_IDS_KEPT = 5000


def ids_to_table(apps, schema_editor):
    Recording = apps.get_model("video_tutorials", "Recording")
    SnapshotBatch = apps.get_model("video_tutorials", "SnapshotBatch")
    now = timezone.now()
    for recording in Recording.objects.exclude(snapshot_batch_ids=[]).only("pk", "snapshot_batch_ids").iterator():
        ids = dict.fromkeys(str(batch_id)[:64] for batch_id in recording.snapshot_batch_ids or [])
        SnapshotBatch.objects.bulk_create(
            [SnapshotBatch(recording_id=recording.pk, batch_id=batch_id, created_at=now) for batch_id in ids],
            ignore_conflicts=True,
            batch_size=1000,
        )


def table_to_ids(apps, schema_editor):
    Recording = apps.get_model("video_tutorials", "Recording")
    SnapshotBatch = apps.get_model("video_tutorials", "SnapshotBatch")
    recording_pks = SnapshotBatch.objects.values_list("recording_id", flat=True).distinct()
    for recording_pk in recording_pks.iterator():
        rows = SnapshotBatch.objects.filter(recording_id=recording_pk).order_by("-created_at", "-id")
        ids = list(rows.values_list("batch_id", flat=True)[:MAX_BATCH_IDS_KEPT])
        Recording.objects.filter(pk=recording_pk).update(snapshot_batch_ids=ids[::-1])


class Migration(migrations.Migration):
    dependencies = [
        ("video_tutorials", "0005_projects_moved_to_their_app"),
    ]

    operations = [
        migrations.CreateModel(
            name="SnapshotBatch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("batch_id", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "recording",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="snapshot_batches",
                        to="video_tutorials.recording",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("recording", "batch_id"), name="snapshot_batch_unique_per_recording")
                ],
            },
        ),
        migrations.RunPython(ids_to_table, table_to_ids),
        migrations.RemoveField(
            model_name="recording",
            name="snapshot_batch_ids",
        ),
    ]
