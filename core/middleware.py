"""Request guards that apply before any view.

Each middleware here runs sync or async, like Django's own: under Daphne a sync-only
middleware between async ones costs two thread hops per request (Django adapts the
chain around it), which was a large part of a cached read's time (issue 14).
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from whitenoise.middleware import WhiteNoiseMiddleware

from . import health
from .errors import json_error_response
from .public_urls import serving_base

# Answered by HealthCheckMiddleware before anything can look at the Host header.
HEALTH_PROBES = {"/healthz": health.healthz, "/readyz": health.readyz}


class SyncAndAsyncMiddleware:
    """Base: ``answer(request)`` returns a response or None (pass on); never blocks on I/O
    unless ``answer_blocks`` says so for that request (then it runs in a thread)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def answer(self, request):
        raise NotImplementedError

    def answer_blocks(self, request) -> bool:
        return False

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        response = self.answer(request)
        return response if response is not None else self.get_response(request)

    async def __acall__(self, request):
        if self.answer_blocks(request):
            response = await sync_to_async(self.answer)(request)
        else:
            response = self.answer(request)
        return response if response is not None else await self.get_response(request)


class PublicBaseUrlMiddleware(SyncAndAsyncMiddleware):
    """Remembers the request's ``scheme://host`` for ``core.public_urls.absolute_url`` while
    it is answered. After CommonMiddleware: the host has been validated against ALLOWED_HOSTS
    by then. The context variable follows the request into the threads sync views run in."""

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        with serving_base(f"{request.scheme}://{request.get_host()}"):
            return self.get_response(request)

    async def __acall__(self, request):
        with serving_base(f"{request.scheme}://{request.get_host()}"):
            return await self.get_response(request)


class StaticFilesMiddleware(SyncAndAsyncMiddleware, WhiteNoiseMiddleware):
    """WhiteNoise, without a thread hop for the requests that are not static files.

    WhiteNoise 6 is sync-only; its lookup (a dict, or the finders with autorefresh in
    debug) is all it does before passing a request on. Serving a file opens it, so
    that part runs in a thread."""

    def __init__(self, get_response=None, **kwargs):
        WhiteNoiseMiddleware.__init__(self, get_response, **kwargs)
        SyncAndAsyncMiddleware.__init__(self, get_response)

    def _static_file(self, request):
        if self.autorefresh:
            return self.find_file(request.path_info)
        return self.files.get(request.path_info)

    def answer(self, request):
        static_file = self._static_file(request)
        return self.serve(static_file, request) if static_file is not None else None

    def answer_blocks(self, request) -> bool:
        return self.autorefresh or request.path_info in self.files


class HealthCheckMiddleware(SyncAndAsyncMiddleware):
    """Answer /healthz and /readyz ahead of host validation and the HTTPS redirect.

    Probes (compose, a load balancer) call one replica by its own address over plain
    HTTP: Host 127.0.0.1 is not in ALLOWED_HOSTS, and SECURE_SSL_REDIRECT would send
    them to https, so in production every probe failed. In MIDDLEWARE this comes before
    anything that calls ``request.get_host()`` (only header-adding middleware is
    outside it, and SECURE_REDIRECT_EXEMPT lists these paths); the answers depend on no
    host. Every other path still goes through the guards."""

    def answer(self, request):
        probe = HEALTH_PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return None

    def answer_blocks(self, request) -> bool:
        return request.path_info in HEALTH_PROBES  # /readyz asks the database and Redis


class RejectNulBytesMiddleware(SyncAndAsyncMiddleware):
    """A NUL byte in a path or query string is never valid input, and PostgreSQL refuses
    it in text columns (a 500 waiting to happen): answer 400 before any lookup."""

    def answer(self, request):
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in value for values in request.GET.lists() for value in values[1])
        ):
            return json_error_response(
                request, status_code=400, detail="The address contains a NUL character.", code="bad_request"
            )
        return None
