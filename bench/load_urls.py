"""The project's URLs plus one bare Django JSON view, for bench/load.py's ceiling.

The view runs through the whole middleware stack (unlike /healthz, which
HealthCheckMiddleware answers first) but does no auth, no queries, no DRF.
"""

from django.http import JsonResponse
from django.urls import path

from core.urls import handler400, handler403, handler404, handler500  # noqa: F401
from core.urls import urlpatterns as project_urlpatterns

BARE_JSON_PATH = "bench/bare-json/"


def bare_json(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path(BARE_JSON_PATH, bare_json), *project_urlpatterns]
