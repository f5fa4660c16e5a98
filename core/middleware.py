"""Request guards that apply before any view."""

from . import health
from .errors import json_error_response

# Answered by HealthCheckMiddleware before anything can look at the Host header.
HEALTH_PROBES = {"/healthz": health.healthz, "/readyz": health.readyz}


class HealthCheckMiddleware:
    """Answer /healthz and /readyz ahead of host validation and the HTTPS redirect.

    Probes (compose, a load balancer) call one replica by its own address over plain
    HTTP: Host 127.0.0.1 is not in ALLOWED_HOSTS, and SECURE_SSL_REDIRECT would send
    them to https, so in production every probe failed. In MIDDLEWARE this comes before
    anything that calls ``request.get_host()`` (only header-adding middleware is
    outside it, and SECURE_REDIRECT_EXEMPT lists these paths); the answers depend on no
    host. Every other path still goes through the guards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = HEALTH_PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """A NUL byte in a path or query string is never valid input, and PostgreSQL refuses
    it in text columns (a 500 waiting to happen): answer 400 before any lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in value for values in request.GET.lists() for value in values[1])
        ):
            return json_error_response(
                request, status_code=400, detail="The address contains a NUL character.", code="bad_request"
            )
        return self.get_response(request)
