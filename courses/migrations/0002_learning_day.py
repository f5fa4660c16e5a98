"""Per-student per-day activity for the streak; existing progress saves give the first days."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def backfill_from_progress(apps, schema_editor):
    """A progress row remembers only its last save: that day counts, earlier ones are lost."""
    LessonProgress = apps.get_model("courses", "LessonProgress")
    LearningDay = apps.get_model("courses", "LearningDay")
    days = {
        (user_id, timezone.localtime(updated_at).date())
        for user_id, updated_at in LessonProgress.objects.values_list("user_id", "updated_at").iterator()
    }
    LearningDay.objects.bulk_create(
        [LearningDay(user_id=user_id, date=date) for user_id, date in days], batch_size=1000, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LearningDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="learning_days",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-date"],
                "constraints": [models.UniqueConstraint(fields=("user", "date"), name="courses_learning_day_unique")],
            },
        ),
        migrations.RunPython(backfill_from_progress, migrations.RunPython.noop),
    ]
