"""Loaded by pytest before Django (``-p core.pytest_env``): test-only environment.

Tests write into a fresh data folder, never into the developer's ``var/``.
"""

import os
import tempfile

os.environ["MRICT_TESTING"] = "1"
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="mrict-test-"))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")  # real-worker tests start their own worker
