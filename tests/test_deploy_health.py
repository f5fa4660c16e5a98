"""Health probes pass under production settings: by IP, over plain HTTP, as compose and
load balancers send them; every other path keeps the host check and the HTTPS redirect."""

from pathlib import Path

import httpx
import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
PUBLIC_HOST = "mrict.example.com"


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (BASE_DIR / ".env.example").read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs if not key.lstrip().startswith("#")}


@pytest.fixture
def production(settings, tmp_path):
    """core/settings.py as .env.example's DJANGO_* values make it, with a curriculum index."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [PUBLIC_HOST]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.REDIS_URL = ""
    settings.CURRICULUM_INDEX_DIR = tmp_path
    (tmp_path / "v1").mkdir()
    (tmp_path / "CURRENT").write_text("v1")
    return settings


def test_env_example_is_the_production_case_these_tests_cover():
    values = env_example()
    assert values["DJANGO_ALLOWED_HOSTS"] == PUBLIC_HOST
    assert values["DJANGO_SECURE_SSL_REDIRECT"] == "true"
    assert values["DJANGO_BEHIND_TLS_PROXY"] == "true"


def test_healthz_by_ip_over_http_is_200(client, production):
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_probe_answers_by_ip_keep_the_security_headers(client, production):
    response = client.get("/healthz", HTTP_HOST="10.0.3.7")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_readyz_by_ip_over_http_is_200_with_its_checks(client, production):
    response = client.get("/readyz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "redis", "llm", "curriculum_index"}


@pytest.mark.django_db
def test_readyz_by_ip_still_says_503_when_not_ready(client, production):
    production.CURRICULUM_INDEX_DIR = production.CURRICULUM_INDEX_DIR / "missing"
    response = client.get("/readyz", HTTP_HOST="127.0.0.1")
    assert response.status_code == 503
    assert response.json()["ready"] is False
    assert response.json()["checks"]["curriculum_index"]["ok"] is False


@pytest.mark.django_db
def test_other_paths_by_ip_are_still_400(client, production):
    assert client.get("/api/schema/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/readyz-not", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_a_probe_path_with_another_method_gets_no_exemption(client, production):
    assert client.post("/readyz", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_other_paths_on_the_public_host_over_http_still_redirect_to_https(client, production):
    response = client.get("/api/schema/", HTTP_HOST=PUBLIC_HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{PUBLIC_HOST}/api/schema/"


@pytest.mark.django_db
def test_https_forwarded_by_the_proxy_is_not_redirected(client, production):
    response = client.get("/api/schema/", HTTP_HOST=PUBLIC_HOST, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


@pytest.mark.integration
def test_daphne_with_env_example_answers_probes_like_the_compose_health_checks(start_daphne, tmp_path):
    """The web container's check (`curl http://127.0.0.1:8000/readyz`) against real Daphne
    started on .env.example's Django settings."""
    data_dir = tmp_path / "data"
    (data_dir / "curriculum_index" / "v1").mkdir(parents=True)
    (data_dir / "curriculum_index" / "CURRENT").write_text("v1")
    django_env = {key: value for key, value in env_example().items() if key.startswith("DJANGO_")}
    server = start_daphne(**django_env, DATA_DIR=data_dir)

    with httpx.Client(base_url=server.base_url, timeout=10, follow_redirects=False) as http:
        ready = http.get("/readyz")  # Host: 127.0.0.1:<port>, plain HTTP
        assert ready.status_code == 200, ready.text
        assert ready.json()["ready"] is True
        assert http.get("/healthz").json() == {"status": "ok"}

        assert http.get("/api/schema/").status_code == 400
        redirected = http.get("/api/schema/", headers={"Host": PUBLIC_HOST})
        assert redirected.status_code == 301
        assert redirected.headers["Location"] == f"https://{PUBLIC_HOST}/api/schema/"
        behind_tls = http.get("/api/schema/", headers={"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"})
        assert behind_tls.status_code == 200
