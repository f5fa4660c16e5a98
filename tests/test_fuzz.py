"""Schemathesis against the live OpenAPI schema, as a student and as an admin.

The bar: no 5xx and no response that breaks the schema, on every operation. The
server holds the demo data, and path and body ids are drawn mostly from its real rows,
so requests get past "not found" into each endpoint's logic.
Runs the real CLI against Daphne on loopback; the example count is bounded for CI
(FUZZ_MAX_EXAMPLES raises it for a deeper local run).
"""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "fuzz"
# Throttles would stop the fuzzer at the door; they have their own tests.
WIDE_THROTTLES = {
    f"THROTTLE_{scope}": "100000/min"
    for scope in ("LOGIN", "LOGIN_EMAIL", "TOKEN", "REGISTER", "OTP", "PASSWORD_RESET", "TUTOR")
}


@pytest.fixture
def fuzz_server(start_daphne, make_user):
    from django.core.management import call_command

    call_command("seed_demo")  # real rows, so fuzzed requests reach the logic behind the ids
    return start_daphne(**WIDE_THROTTLES)


POSITIVE_DATA_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

# How often a path parameter takes a real id instead of a generated one: most cases
# reach the endpoint's logic, some still probe unknown ids.
REAL_ID_PROBABILITY = 0.8


def real_ids_for(user) -> dict[str, list[str]]:
    """Ids of real rows the fuzzer may use: the demo data, plus a project and a
    notification of the fuzzing user (so owner-only paths are reached too)."""
    from accounts.models import User
    from courses.models import Course, Lesson, Module
    from notifications.services import notification_send
    from projects.services import project_create
    from schools.models import School, SchoolClass
    from video_tutorials.models import Recording

    # Several, since the fuzzer deletes some of what it is given.
    projects = [project_create(owner=user, name=f"Fuzzed page {n}") for n in range(3)]
    notification = notification_send(recipient=user, kind="note", title="Fuzzed")
    return {
        "courses": list(Course.objects.values_list("course_id", flat=True)),
        "modules": list(Module.objects.values_list("module_id", flat=True)),
        "lessons": list(Lesson.objects.values_list("lesson_id", flat=True)),
        "recordings": list(Recording.objects.values_list("recording_id", flat=True)),
        "schools": list(School.objects.values_list("school_id", flat=True)),
        "classes": list(SchoolClass.objects.values_list("class_id", flat=True)),
        "teachers": list(User.objects.filter(role="teacher").values_list("user_id", flat=True)[:3]),
        "students": list(User.objects.filter(role="student").values_list("user_id", flat=True)[:3]),
        "projects": [project.project_id for project in projects],
        "files": [str(pk) for project in projects for pk in project.files.values_list("pk", flat=True)],
        "notifications": [notification.notification_id],
    }


def schemathesis_config(ids: dict[str, list[str]]) -> str:
    """A schemathesis.toml that binds path parameters to dictionaries of real ids."""

    def binding(dictionary: str) -> str:
        return f'{{ dictionary = "{dictionary}", probability = {REAL_ID_PROBABILITY} }}'

    lines = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines += [
        # positive_data_acceptance: schema-valid input must not be refused, except by the
        # statuses listed here. These are schemathesis' defaults plus 400, the status this API
        # documents (core/schema.py) and uses for business-rule refusals of well-formed input:
        # a wrong OTP or password, an invalid state transition (publishing an archived course),
        # a duplicate (an email or school code that exists), a referenced row that does not
        # exist. The API has no 409/422; unsupported_method keeps its default (405 with Allow).
        "[checks.positive_data_acceptance]",
        f"expected-statuses = {json.dumps(POSITIVE_DATA_STATUSES)}",
        "",
        "[parameters]",
        f'"path.course_id" = {binding("courses")}',
        f'"path.lesson_id" = {binding("lessons")}',
        f'"path.recording_id" = {binding("recordings")}',
        f'"path.school_id" = {binding("schools")}',
        f'"path.project_id" = {binding("projects")}',
        f'"path.file_id" = {binding("files")}',
        f'"path.notification_id" = {binding("notifications")}',
        f'"query.project" = {binding("projects")}',
        f'"body.project" = {binding("projects")}',
        f'"body.course" = {binding("courses")}',
        f'"body.module" = {binding("modules")}',
        f'"body.lesson" = {binding("lessons")}',
        f'"body.lesson_id" = {binding("lessons")}',
        f'"body.recording_id" = {binding("recordings")}',
        f'"body.school_id" = {binding("schools")}',
        f'"body.class_id" = {binding("classes")}',
        f'"body.school_ids[*]" = {binding("schools")}',
        f'"body.class_ids[*]" = {binding("classes")}',
        "",
    ]
    # The same parameter name means a different row on these paths.
    for regex, dictionary, name in [
        ("^/api/admin/content/courses/", "courses", "key"),
        ("^/api/admin/content/modules/", "modules", "key"),
        ("^/api/admin/content/lessons/", "lessons", "key"),
        ("^/api/admin/teachers/", "teachers", "user_id"),
        ("^/api/admin/students/", "students", "user_id"),
    ]:
        lines += [
            "[[operations]]",
            f'include-path-regex = "{regex}"',
            f'parameters = {{ "path.{name}" = {binding(dictionary)} }}',
            "",
        ]
    return "\n".join(lines)


def run_schemathesis(server, token: str, label: str, config: str) -> dict:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"{label}.ndjson"
    config_file = ARTIFACTS / f"{label}.toml"
    config_file.write_text(config)
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"),
        "--config-file",
        str(config_file),
        "run",
        f"{server.base_url}/api/schema/",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20261125",
        "--request-timeout",
        "30",
        "--workers",
        "1",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--output-truncate",
        "true",
        "--generation-allow-x00",
        "false",
        "--continue-on-failure",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500)
    (ARTIFACTS / f"{label}.txt").write_text(result.stdout + result.stderr)
    return {"returncode": result.returncode, "stdout": result.stdout, "report": report}


def totals_from_report(report: Path) -> dict:
    """Requests and failed checks per operation, from schemathesis' NDJSON event stream."""
    requests: Counter[str] = Counter()
    failures: Counter[tuple[str, str]] = Counter()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        scenario = event.get("ScenarioFinished")
        if scenario is None:
            continue
        recorder = scenario["recorder"]
        for case_id in recorder.get("interactions", {}):
            case = recorder["cases"][case_id]["value"]
            # Stateful scenarios chain several operations; credit each request to its own.
            operation = recorder["label"] if scenario["phase"] != "stateful" else None
            requests[operation or f"{case['method']} {case['path']}"] += 1
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check["status"] == "failure":
                    case = recorder["cases"][case_id]["value"]
                    failures[(f"{case['method']} {case['path']}", check["name"])] += 1
    return {"requests": requests, "failures": failures}


def schema_operations(client) -> set[str]:
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


@pytest.mark.timeout(1200)  # ~3 minutes a role on 2 quiet cores; the suite default (300 s) is for one test
@pytest.mark.parametrize("role", ["student", "admin"])
def test_fuzz_whole_api_finds_no_server_errors_or_schema_violations(fuzz_server, make_user, role, client):
    from accounts.services import tokens_for

    user = make_user(role)
    config = schemathesis_config(real_ids_for(user))
    outcome = run_schemathesis(fuzz_server, tokens_for(user=user)["access"], role, config)
    totals = totals_from_report(outcome["report"])
    operations = schema_operations(client)
    unexercised = sorted(operations - {label for label, count in totals["requests"].items() if count})
    summary = {
        "role": role,
        "max_examples": MAX_EXAMPLES,
        "operations": len(operations),
        "operations_exercised": len(operations) - len(unexercised),
        "requests": sum(totals["requests"].values()),
        "failed_checks": sum(totals["failures"].values()),
        "failures": sorted(f"{label}: {check} x{count}" for (label, check), count in totals["failures"].items()),
        "returncode": outcome["returncode"],
    }
    (ARTIFACTS / f"totals-{role}.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    assert unexercised == [], f"operations the fuzzer never called: {unexercised}"
    assert outcome["returncode"] == 0, outcome["stdout"][-12000:]


def api_url_patterns() -> set[str]:
    """Every route Django serves under /api/ and /llm-tutor/, as OpenAPI-style paths."""
    from django.contrib.admindocs.views import simplify_regex
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    paths = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", simplify_regex(route)) for route in walk(get_resolver().url_patterns)}
    # The schema and its docs page describe the API; they are not operations of it.
    return {p for p in paths if p.startswith(("/api/", "/llm-tutor/"))} - {"/api/schema/", "/api/docs/"}


def test_schema_lists_every_api_url_pattern(client, db):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    routes = api_url_patterns()
    assert len(routes) > 50  # the walk found the app routes, not just the schema views
    assert sorted(routes - set(schema["paths"])) == []
    assert sorted(set(schema["paths"]) - routes) == []
