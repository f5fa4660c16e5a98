"""`make run` prints no alarming noise that is not an error: kombu's "No hostname was
supplied" (the in-process broker's URL had no host) and faiss' "Could not load library
with AVX512 support" (it tries optional builds first). Real warnings still show."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def test_the_in_process_broker_connects_without_the_no_hostname_warning(settings, caplog):
    from celery import current_app

    assert settings.CELERY_BROKER_URL.startswith(("memory://localhost", "redis://"))
    with caplog.at_level(logging.WARNING), current_app.connection_for_write() as connection:
        assert connection.info()["hostname"]
    assert not [r for r in caplog.records if "No hostname was supplied" in r.getMessage()]


@pytest.mark.integration
def test_loading_faiss_under_django_logging_is_quiet_but_warnings_still_show(tmp_path):
    script = (
        "import logging, faiss; "
        "logging.getLogger('faiss.loader').warning('a real faiss warning'); "
        "print('index dim', faiss.IndexFlatL2(4).d)"
    )
    env = {**os.environ, "DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "core.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "index dim 4" in result.stdout
    assert "Could not load library" not in result.stderr and "Loading faiss" not in result.stderr
    assert "a real faiss warning" in result.stderr
