"""The planner's statistics: refreshed by a command (run by `make run`) and a daily beat task."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from core.tasks import refresh_query_statistics
from courses.models import LessonProgress
from courses.tests.factories import LessonFactory

pytestmark = pytest.mark.django_db


def stat_tables() -> set[str]:
    """Tables SQLite holds statistics for (none before the first ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchall():
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def test_command_refreshes_sqlite_statistics_or_leaves_postgres_to_autovacuum(make_user, capsys):
    lesson = LessonFactory()
    for _ in range(3):
        LessonProgress.objects.create(user=make_user(), lesson=lesson)
    before = stat_tables() if connection.vendor == "sqlite" else set()
    call_command("refresh_query_statistics")
    output = capsys.readouterr().out
    if connection.vendor == "sqlite":
        assert "statistics refreshed" in output
        assert "courses_lessonprogress" not in before
        assert {"courses_lessonprogress", "accounts_user", "courses_lesson"} <= stat_tables()
    else:
        assert output.startswith(f"{connection.vendor}: statistics are kept by the database itself")


def test_beat_refreshes_statistics_daily():
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == refresh_query_statistics.name]
    assert entry["schedule"] == 24 * 3600
    assert refresh_query_statistics.delay().get().startswith(connection.vendor)
