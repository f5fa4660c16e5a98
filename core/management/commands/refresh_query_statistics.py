from django.core.management.base import BaseCommand

from core.database import refresh_query_statistics


class Command(BaseCommand):
    help = "Refresh the query planner's statistics (SQLite ANALYZE; PostgreSQL keeps its own)."

    def handle(self, *args, **options):
        self.stdout.write(refresh_query_statistics())
