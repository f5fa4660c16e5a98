"""Throttles for the doors attackers knock on: login, registration, codes, resets.

Sign-in counts failed tries only, per client address and per target email: a class
of students signing in correctly behind one school NAT never reaches a limit, while
password guessing does. The per-email limit stops guesses spread over many
addresses; its price is that a flood of wrong passwords for one email also refuses
that email's owner, from any address, until the failures age out of the window
(THROTTLE_LOGIN_EMAIL). Refused and successful tries do not count, so the owner's
own attempts never prolong the lock.
"""

from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle


class LoginFailureThrottle(SimpleRateThrottle):
    """Refuses once ``rate`` sign-ins have failed; a request is only counted by
    ``failure_record``, which the view calls when the credentials are wrong."""

    def throttle_success(self):
        return True

    def failure_record(self) -> None:
        if getattr(self, "key", None) is None:
            return  # not throttled (no rate, or no email in the request)
        now = self.timer()
        # Re-read: concurrent requests may have recorded failures since allow_request.
        history = [moment for moment in self.cache.get(self.key, []) if moment > now - self.duration]
        self.cache.set(self.key, [now, *history], self.duration)


class LoginAddressThrottle(LoginFailureThrottle):
    """Failed sign-ins per client address (see REST_FRAMEWORK["NUM_PROXIES"])."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginAccountThrottle(LoginFailureThrottle):
    """Failed sign-ins per target email, so many addresses can't brute-force one account."""

    scope = "login_email"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email:
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()[:254]}


class LoginThrottling:
    """View mixin: the login throttles, told about every wrong email or password."""

    throttle_classes = [LoginAddressThrottle, LoginAccountThrottle]

    def get_throttles(self):
        self.login_throttles = super().get_throttles()
        return self.login_throttles

    def handle_exception(self, exc):
        if isinstance(exc, AuthenticationFailed):
            for throttle in getattr(self, "login_throttles", []):
                throttle.failure_record()
        return super().handle_exception(exc)
