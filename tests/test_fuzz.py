"""Schemathesis against the live OpenAPI schema, as a student and as an admin.

The bar: no 5xx and no response that breaks the schema, on every operation.
Runs the real CLI against Daphne on loopback; the example count is bounded for CI
(FUZZ_MAX_EXAMPLES raises it for a deeper local run).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "fuzz"
# Throttles would stop the fuzzer at the door; they have their own tests.
WIDE_THROTTLES = {
    f"THROTTLE_{scope}": "100000/min" for scope in ("LOGIN", "REGISTER", "OTP", "PASSWORD_RESET", "TUTOR")
}


@pytest.fixture
def fuzz_server(start_daphne, make_user):
    return start_daphne(**WIDE_THROTTLES)


def run_schemathesis(server, token: str, label: str) -> dict:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"{label}.ndjson"
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"),
        "run",
        f"{server.base_url}/api/schema/",
        "--checks",
        "all",
        "--exclude-checks",
        # These assume every 4xx is a bug in the data generator, and that an admin's
        # valid-looking POST always succeeds (it may be a duplicate, a 409-style 400).
        "positive_data_acceptance,unsupported_method",
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
    summary = re.findall(r"^.*(?:passed|failed|error).*$", result.stdout, flags=re.MULTILINE)
    return {"returncode": result.returncode, "stdout": result.stdout, "summary": summary}


@pytest.mark.parametrize("role", ["student", "admin"])
def test_fuzz_whole_api_finds_no_server_errors_or_schema_violations(fuzz_server, make_user, role):
    from accounts.services import tokens_for

    user = make_user(role)
    outcome = run_schemathesis(fuzz_server, tokens_for(user=user)["access"], role)
    print("\n".join(outcome["summary"]))
    assert outcome["returncode"] == 0, outcome["stdout"][-12000:]


def test_schema_lists_every_api_operation(client, db):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    operations = [(path, method) for path, item in schema["paths"].items() for method in item]
    assert len(operations) >= 10
