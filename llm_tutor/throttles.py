"""One per-student tutor rate for every way of asking: HTTP (JSON or SSE) and the websocket."""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class TutorRateThrottle(UserRateThrottle):
    """settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["tutor"], keyed on the student."""

    scope = "tutor"

    def get_rate(self):
        # Read when asked, not at import (DRF's class attribute), so a settings change applies.
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


def tutor_throttle_wait(*, user) -> float | None:
    """Counts one tutor request for ``user``: None when allowed, else the seconds to wait."""
    throttle = TutorRateThrottle()
    if throttle.allow_request(SimpleNamespace(user=user), view=None):
        return None
    return throttle.wait() or 1.0
