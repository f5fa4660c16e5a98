"""The scaled stack's compose file is valid and every long-running service is health-checked.

`docker compose config` needs Docker's compose; the rest reads the files directly, so it
runs everywhere: health checks, the bucket job, the proxy's TLS and /media/ wiring.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import need_service

BASE_DIR = Path(__file__).resolve().parents[1]
ONE_SHOT = {"migrate", "createbucket"}  # jobs that exit; health checks are for services that keep running
APP_SERVICES = {"migrate", "web", "worker", "beat"}


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    need_service("docker compose (apt-get install docker-compose)")


@pytest.fixture
def compose_dir(tmp_path):
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(BASE_DIR / name, tmp_path / name)
    shutil.copytree(BASE_DIR / "deploy", tmp_path / "deploy")
    shutil.copy(BASE_DIR / ".env.example", tmp_path / ".env")  # as the README says
    return tmp_path


def test_compose_config_is_valid_and_every_service_has_a_health_check(compose_dir):
    result = subprocess.run([*compose_command(), "config"], cwd=compose_dir, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "ollama", "minio"} <= set(services)
    for name, service in services.items():
        if name not in ONE_SHOT:
            assert "healthcheck" in service, f"{name} has no health check"
    assert services["web"]["environment"]["REDIS_URL"].startswith("redis://")
    # .env.example's values reach the containers as the README's `cp .env.example .env` leaves them.
    assert services["web"]["environment"]["AWS_S3_CUSTOM_DOMAIN"] == "mrict.example.com/media"
    assert services["proxy"]["environment"]["MRICT_MEDIA_BUCKET"] == "mrict-media"


def test_compose_refuses_to_start_without_a_public_media_domain(compose_dir):
    env = (compose_dir / ".env").read_text()
    (compose_dir / ".env").write_text(re.sub(r"(?m)^AWS_S3_CUSTOM_DOMAIN=.*$", "", env))
    result = subprocess.run([*compose_command(), "config"], cwd=compose_dir, capture_output=True, text=True)
    assert result.returncode != 0
    assert "AWS_S3_CUSTOM_DOMAIN" in result.stderr


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]


@pytest.fixture(scope="module")
def nginx_conf() -> str:
    return (BASE_DIR / "deploy" / "nginx.conf").read_text()


def env_example() -> dict[str, str]:
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_every_long_running_service_has_a_health_check_and_jobs_do_not_restart(services):
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", f"{name} is a one-shot job"
        else:
            assert "test" in service.get("healthcheck", {}), f"{name} has no health check"


def test_health_checks_probe_the_paths_answered_before_host_checks(services):
    from core.middleware import HEALTH_PROBES

    web_probe = " ".join(services["web"]["healthcheck"]["test"])
    proxy_probe = " ".join(services["proxy"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in web_probe
    assert "http://127.0.0.1/healthz" in proxy_probe
    assert {"/readyz", "/healthz"} <= set(HEALTH_PROBES)


def test_createbucket_job_runs_after_minio_and_before_the_apps(services):
    job = services["createbucket"]
    assert job["image"].startswith("minio/mc")
    assert job["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "./deploy/createbucket.sh:/createbucket.sh:ro" in job["volumes"]
    for name in (*APP_SERVICES, "proxy"):
        depends_on = services[name]["depends_on"]
        assert depends_on["createbucket"]["condition"] == "service_completed_successfully", name
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_apps_the_bucket_job_and_the_proxy_agree_on_the_bucket_and_credentials(services):
    bucket = "${AWS_STORAGE_BUCKET_NAME:-mrict-media}"
    assert services["createbucket"]["environment"]["AWS_STORAGE_BUCKET_NAME"] == bucket
    assert services["proxy"]["environment"]["MRICT_MEDIA_BUCKET"] == bucket
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["AWS_STORAGE_BUCKET_NAME"] == bucket, name
        assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert environment["AWS_S3_CUSTOM_DOMAIN"].startswith("${AWS_S3_CUSTOM_DOMAIN:?"), name
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            assert environment[key] == services["createbucket"]["environment"][key]
    minio = services["minio"]["environment"]
    assert minio["MINIO_ROOT_USER"] == services["createbucket"]["environment"]["AWS_ACCESS_KEY_ID"]
    assert minio["MINIO_ROOT_PASSWORD"] == services["createbucket"]["environment"]["AWS_SECRET_ACCESS_KEY"]


def test_bucket_job_makes_objects_readable_by_key_only():
    script = (BASE_DIR / "deploy" / "createbucket.sh").read_text()
    assert "mc mb --ignore-existing" in script
    assert "mc anonymous set-json" in script
    # The policy itself is checked, and applied to a real S3 server, in test_s3_media.py.
    policy_line = next(line for line in script.splitlines() if line.startswith("printf '{"))
    assert re.findall(r'"Action":\[([^]]*)\]', policy_line) == ['"s3:GetObject"']
    assert "mc anonymous set download" not in script  # MinIO's canned "download" also allows listing


def test_proxy_loads_nginx_conf_as_a_template_with_only_our_variables(services, nginx_conf):
    proxy = services["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/templates/default.conf.template:ro" in proxy["volumes"]
    assert proxy["environment"]["NGINX_ENVSUBST_FILTER"] == "^MRICT_"
    placeholders = set(re.findall(r"\$\{(\w+)\}", nginx_conf))
    assert placeholders == {"MRICT_MEDIA_BUCKET"}


def test_proxy_passes_the_load_balancers_scheme_through(nginx_conf):
    assert re.search(r"map \$http_x_forwarded_proto \$forwarded_proto \{[^}]*\"\"\s+\$scheme;", nginx_conf)
    assert "proxy_set_header X-Forwarded-Proto $forwarded_proto;" in nginx_conf
    assert "X-Forwarded-Proto $scheme" not in nginx_conf


def test_proxy_serves_media_from_the_bucket_read_only(nginx_conf):
    media = re.search(r"location /media/ \{(.*?)\n    \}", nginx_conf, re.S).group(1)
    assert "proxy_pass http://minio/${MRICT_MEDIA_BUCKET}/;" in media
    assert re.search(r"limit_except GET \{\s*deny all;", media)
    assert 'set $args "";' in media  # no listing or response-header overrides by query string
    assert "server minio:9000;" in nginx_conf
    assert re.search(r"location = /media/ \{\s*return 404;", nginx_conf)


def test_env_example_media_urls_go_through_the_proxy_on_the_public_host():
    values = env_example()
    host, _, path = values["AWS_S3_CUSTOM_DOMAIN"].partition("/")
    assert host in values["DJANGO_ALLOWED_HOSTS"].split(",")
    assert path == "media"  # nginx's `location /media/`
    assert values["AWS_S3_URL_PROTOCOL"] == "https"  # what browsers use, TLS at the load balancer
    assert values.get("AWS_QUERYSTRING_AUTH", "false") == "false"


def test_web_serves_from_several_processes_on_one_port_with_redis(services):
    # core/serve.py: WEB_WORKERS Daphne processes per replica; more than one needs REDIS_URL.
    web = services["web"]
    assert web["command"].split()[:3] == ["python", "-m", "core.serve"]
    assert "-p 8000" in web["command"] and "-b 0.0.0.0" in web["command"]
    workers = re.fullmatch(r"\$\{WEB_WORKERS:-(\d+)\}", web["environment"]["WEB_WORKERS"])
    assert workers and int(workers.group(1)) >= 2
    assert web["environment"]["REDIS_URL"].startswith("redis://")
    assert int(env_example()["WEB_WORKERS"]) >= 2
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert 'CMD ["python", "-m", "core.serve", "-b", "0.0.0.0", "-p", "8000"]' in dockerfile


def test_llamacpp_is_an_opt_in_alternative_to_ollama_selected_by_the_openai_provider(services):
    assert "ollama" in services and "profiles" not in services["ollama"]  # the default stays
    llamacpp = services["llamacpp"]
    assert llamacpp["profiles"] == ["llamacpp"]  # only with `--profile llamacpp`
    assert llamacpp["image"].startswith("ghcr.io/ggml-org/llama.cpp:server")
    assert "./models:/models:ro" in llamacpp["volumes"]
    command = llamacpp["command"]
    assert "--model /models/${LLAMACPP_MODEL_FILE" in command and "--port 8080" in command
    assert "--ctx-size ${LLM_NUM_CTX:-2048}" in command  # the same context the tutor sizes prompts for
    assert "http://127.0.0.1:8080/health" in " ".join(llamacpp["healthcheck"]["test"])
    for name in APP_SERVICES:
        assert services[name]["environment"]["OPENAI_BASE_URL"] == "${OPENAI_BASE_URL:-http://llamacpp:8080/v1}"
    example = (BASE_DIR / ".env.example").read_text()
    assert "# LLM_PROVIDER=openai" in example and "# OPENAI_BASE_URL=http://llamacpp:8080/v1" in example
