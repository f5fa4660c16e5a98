"""Queueing background work so that a Redis outage is a clear 503, not a hang or a 500."""

from kombu.exceptions import OperationalError

from .errors import ServiceUnavailable


def enqueue(task, *args, **kwargs):
    """``task.delay(...)``, or ServiceUnavailable when the broker can't be reached."""
    try:
        return task.apply_async(args=args, kwargs=kwargs)
    except OperationalError as exc:
        raise ServiceUnavailable("Background processing is unavailable right now. Try again in a minute.") from exc
