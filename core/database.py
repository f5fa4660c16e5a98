"""Keeping the query planner informed.

SQLite plans without statistics until ``ANALYZE`` runs, and then it can pick a bad
driving table (the teacher dashboard once took 1.3 s for one school because of it).
PostgreSQL's autovacuum keeps its own statistics, so there is nothing to do there.
"""

from django.db import connections

# Rows sampled per index: keeps ANALYZE to milliseconds on large tables (SQLite >= 3.32).
ANALYSIS_LIMIT = 1000


def refresh_query_statistics(using: str = "default") -> str:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return f"{connection.vendor}: statistics are kept by the database itself"
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return "sqlite: statistics refreshed"
