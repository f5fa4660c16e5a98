"""Cross-cutting behaviour: deploy checks, health, error shape, headers, schema."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3V9q-production-like-secret-" + "x7Rt2pLm9QzW4bN8cV1dF6gH0jK3sA5e",
    "DJANGO_ALLOWED_HOSTS": "mrict.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SESSION_COOKIE_SECURE": "true",
    "DJANGO_CSRF_COOKIE_SECURE": "true",
    "CORS_ALLOWED_ORIGINS": "https://app.mrict.example.com",
}


def manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k != "MRICT_TESTING"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_env():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_debug_is_on():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides={**PRODUCTION_ENV, "DJANGO_DEBUG": "true"}
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_debug_defaults_to_off_and_cors_is_closed(settings):
    assert os.environ.get("DJANGO_DEBUG") is None
    assert settings.DEBUG is False
    assert settings.CORS_ALLOW_ALL_ORIGINS is False


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_part(client, settings, tmp_path):
    settings.CURRICULUM_INDEX_DIR = tmp_path
    (tmp_path / "v1").mkdir()
    (tmp_path / "CURRENT").write_text("v1")
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["curriculum_index"]["version"] == "v1"
    assert checks["redis"]["configured"] is False


@pytest.mark.django_db
def test_readyz_is_503_without_a_curriculum_index(client, settings, tmp_path):
    settings.CURRICULUM_INDEX_DIR = tmp_path / "missing"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["curriculum_index"]["ok"] is False


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_goes_503_when_configured_redis_is_down_and_recovers(client, settings, tmp_path, redis_server):
    settings.CURRICULUM_INDEX_DIR = tmp_path
    (tmp_path / "v1").mkdir()
    (tmp_path / "CURRENT").write_text("v1")
    settings.REDIS_URL = redis_server.url
    assert client.get("/readyz").status_code == 200
    redis_server.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"]["redis"]["ok"] is False
    redis_server.start()
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_anonymous_api_call_is_401_in_the_common_shape(client):
    response = client.get("/api/accounts/me/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "errors"}


def test_security_headers_on_every_response(client):
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_hsts_is_sent_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_public(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["openapi"].startswith("3.")
    assert "/api/accounts/login-student/" in body["paths"]
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_docs_ui_loads_its_assets_from_this_server_so_it_works_offline(client):
    from django.contrib.staticfiles import finders

    page = client.get("/api/docs/").content.decode()

    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    assets = re.findall(r'(?:src|href)="/static/(drf_spectacular_sidecar/[^"]+)"', page)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets), page[:2000]
    assert all(finders.find(asset) for asset in assets)


def test_schema_generates_without_warnings():
    result = manage("spectacular", "--fail-on-warn", "--file", os.devnull, env_overrides={})
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/recordings/REC-%00/", "/api/courses/?search=a%00b", "/api/schools/%00/"])
def test_nul_bytes_in_addresses_are_400_not_500(student_client, url):
    response = student_client.get(url)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
