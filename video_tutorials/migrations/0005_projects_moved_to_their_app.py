"""Project and ProjectFile now belong to the projects app (its 0001 takes them over in
Django's state); nothing changes in the database here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("video_tutorials", "0004_recording_uploaded_notified_asset_duration"),
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ProjectFile"),
                migrations.DeleteModel(name="Project"),
            ],
        ),
    ]
