"""Apps import one way, down the ladder in docs/architecture.md; core's shared modules
import no domain app. A lazy (function-level) import counts the same as a top-level one."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
# Lower first; apps on one rung may not import each other.
LADDER = [
    ["core"],
    ["accounts"],
    ["schools"],
    ["notifications"],
    ["courses"],
    ["video_tutorials"],
    ["students"],
    ["teachers"],
    ["llm_tutor", "projects"],
    ["demo"],
]
RUNG = {app: level for level, apps in enumerate(LADDER) for app in apps}
# The composition root names every app by design.
COMPOSITION_ROOT = {"core/settings.py", "core/urls.py", "core/asgi.py", "core/celery.py", "core/pytest_env.py"}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([a-z_]+)\b", re.M)


def upward_imports() -> list[str]:
    found = []
    for app, rung in RUNG.items():
        for path in (BASE_DIR / app).rglob("*.py"):
            relative = path.relative_to(BASE_DIR).as_posix()
            if "/tests/" in relative or "/migrations/" in relative or relative in COMPOSITION_ROOT:
                continue
            for imported in IMPORT.findall(path.read_text()):
                if imported in RUNG and imported != app and RUNG[imported] >= rung:
                    found.append(f"{relative} imports {imported}")
    return found


def test_no_app_imports_an_app_above_or_beside_it():
    assert upward_imports() == []


def test_the_check_sees_a_lazy_import():
    assert IMPORT.findall("def f():\n    from video_tutorials.models import Recording\n") == ["video_tutorials"]
