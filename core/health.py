"""Liveness (/healthz) and readiness (/readyz) for load balancers and compose."""

import time

import redis
from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse


def healthz(request):
    return JsonResponse({"status": "ok"})


def _timed(check) -> dict:
    started = time.perf_counter()
    result = check()
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "required": True, "engine": connection.vendor}
    except DatabaseError as exc:
        return {"ok": False, "required": True, "error": str(exc)[:200]}


def _redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "required": False, "configured": False}
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True, "required": True, "configured": True}
    except redis.RedisError as exc:
        return {"ok": False, "required": True, "configured": True, "error": str(exc)[:200]}


# Checks added by apps (their AppConfig.ready), since core imports no domain app: name -> check.
EXTRA_CHECKS: dict = {}


def register_check(name: str, check) -> None:
    """``check()`` returns {"ok": bool, "required": bool, ...} and never raises."""
    EXTRA_CHECKS[name] = check


def _curriculum_index() -> dict:
    current = settings.CURRICULUM_INDEX_DIR / "CURRENT"
    if not current.exists():
        return {"ok": False, "required": True, "error": "Run `python manage.py build_curriculum_index`."}
    version = current.read_text().strip()
    present = (settings.CURRICULUM_INDEX_DIR / version).is_dir()
    return {"ok": present, "required": True, "version": version}


def readyz(request):
    checks = {
        "database": _timed(_database),
        "redis": _timed(_redis),
        "curriculum_index": _timed(_curriculum_index),
        **{name: _timed(check) for name, check in EXTRA_CHECKS.items()},
    }
    ready = all(check["ok"] for check in checks.values() if check["required"])
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
