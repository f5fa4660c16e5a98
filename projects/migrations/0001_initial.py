"""The projects workspace moves here from video_tutorials: the models change app in
Django's state only; their tables (and rows) stay where they are until 0002 renames them."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import projects.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("video_tutorials", "0004_recording_uploaded_notified_asset_duration"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Project',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('project_id', models.CharField(default=projects.models.new_project_id, editable=False, max_length=20, unique=True)),
                        ('name', models.CharField(max_length=120)),
                        ('description', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='projects', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-updated_at', '-id'],
                        'db_table': 'video_tutorials_project',
                    },
                ),
                migrations.CreateModel(
                    name='ProjectFile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}\\.(html|css|js)$', "Use a simple file name ending in .html, .css or .js (no folders, no '..').")])),
                        ('file_type', models.CharField(choices=[('html', 'HTML'), ('css', 'CSS'), ('js', 'JavaScript')], max_length=4)),
                        ('content', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='projects.project')),
                    ],
                    options={
                        'ordering': ['project', 'name'],
                        'db_table': 'video_tutorials_projectfile',
                        'constraints': [models.UniqueConstraint(fields=('project', 'name'), name='projects_file_unique_name')],
                    },
                ),
            ],
        ),
    ]
