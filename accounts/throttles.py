"""Throttles for the doors attackers knock on: login, registration, codes, resets."""

from rest_framework.throttling import SimpleRateThrottle


class LoginAccountThrottle(SimpleRateThrottle):
    """Limits tries per target email, so many IPs can't brute-force one account."""

    scope = "login"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email:
            return None
        return self.cache_format % {"scope": "login-email", "ident": email.strip().lower()[:254]}
