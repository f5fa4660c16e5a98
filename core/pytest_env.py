"""Loaded by pytest before Django (``-p core.pytest_env``): test-only environment.

Tests write into a fresh data folder, never into the developer's ``var/``.
"""

import os
import tempfile

os.environ["MRICT_TESTING"] = "1"
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="mrict-test-"))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")  # real-worker tests start their own worker
# torch and llama.cpp share one OpenMP runtime (libgomp) per process, configured when it first
# loads: threads that spin while waiting starve each other on a shared 2-core machine (a 2 s model
# reply took 20 s). llm_tutor/apps.py does the same for LLM_PROVIDER=llamacpp in production.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
