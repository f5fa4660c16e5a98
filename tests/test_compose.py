"""The scaled stack's compose file is valid and every long-running service is health-checked."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import need_service

BASE_DIR = Path(__file__).resolve().parents[1]
ONE_SHOT = {"migrate"}  # a job that exits; health checks are for services that keep running


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
