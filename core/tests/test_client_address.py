"""The client address the throttles see: the connection's by default; behind the compose
stack's load balancer and nginx, the one they append to X-Forwarded-For."""

import re
from pathlib import Path

import yaml

from core.tests.test_platform import manage

BASE_DIR = Path(__file__).resolve().parents[2]


def test_num_proxies_comes_from_the_environment_and_defaults_to_ignoring_the_header():
    show = "from django.conf import settings; print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    assert manage("shell", "--no-imports", "-c", show, env_overrides={}).stdout.strip() == "0"
    assert manage("shell", "--no-imports", "-c", show, env_overrides={"DJANGO_NUM_PROXIES": "2"}).stdout.strip() == "2"


def test_nginx_appends_the_address_it_saw_to_x_forwarded_for():
    conf = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    app_location = re.search(r"location / \{(.*?)\n    \}", conf, re.S).group(1)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in app_location


def test_compose_web_trusts_the_load_balancer_and_nginx_entries():
    web_env = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]["web"]["environment"]
    assert web_env["DJANGO_NUM_PROXIES"] == "${DJANGO_NUM_PROXIES:-2}"
    env_example = (BASE_DIR / ".env.example").read_text()
    assert re.search(r"^DJANGO_NUM_PROXIES=2$", env_example, re.M)
