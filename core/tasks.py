"""Queueing background work so that a Redis outage is a clear 503, not a hang or a 500;
and the platform's own periodic jobs."""

from celery import shared_task
from kombu.exceptions import OperationalError

from . import database
from .errors import ServiceUnavailable


def enqueue(task, *args, **kwargs):
    """``task.delay(...)``, or ServiceUnavailable when the broker can't be reached."""
    try:
        return task.apply_async(args=args, kwargs=kwargs)
    except OperationalError as exc:
        raise ServiceUnavailable("Background processing is unavailable right now. Try again in a minute.") from exc


@shared_task(name="core.tasks.refresh_query_statistics")
def refresh_query_statistics() -> str:
    return database.refresh_query_statistics()
