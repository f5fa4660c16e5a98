"""Under Daphne the middleware chain runs in the event loop: a sync-only middleware makes
Django wrap the rest of the chain in thread hops on every request (issue 14). These run
the guards through Django's ASGI handler, as Daphne does."""

import pytest
from django.conf import settings
from django.test import AsyncClient
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_middleware_can_run_async():
    sync_only = [path for path in settings.MIDDLEWARE if not getattr(import_string(path), "async_capable", False)]
    assert sync_only == []


async def test_probes_and_the_nul_guard_answer_through_asgi():
    client = AsyncClient(headers={"host": "127.0.0.1"})
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code in (200, 503) and "checks" in ready.json()

    nul = await client.get("/api/courses/?search=a%00b")
    assert nul.status_code == 400 and nul.json()["code"] == "bad_request"

    unknown = await client.get("/api/courses/")
    assert unknown.status_code == 401  # passed on down the chain to DRF


async def test_whitenoise_still_serves_collected_static_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # read when the handler builds its middleware
    (tmp_path / "probe.css").write_text("body { color: red; }")
    client = AsyncClient(headers={"host": "127.0.0.1"})
    response = await client.get("/static/probe.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"body { color: red; }"
    assert (await client.get("/static/missing.css")).status_code == 404
