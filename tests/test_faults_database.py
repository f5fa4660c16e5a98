"""PostgreSQL drops the app's connection between requests: the next request works.

CONN_MAX_AGE keeps connections open and CONN_HEALTH_CHECKS tests them before reuse,
so a connection killed by a database restart or a proxy costs one reconnect.
"""

import json
import urllib.request

import pytest
from django.db import connection

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.integration]


def login(base_url, email):
    request = urllib.request.Request(
        f"{base_url}/api/accounts/login/",
        data=json.dumps({"email": email, "password": DEFAULT_PASSWORD}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def server_connections(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return cursor.fetchone()[0]


def test_next_request_succeeds_after_the_database_drops_connections(start_daphne, make_user):
    user = make_user("student")
    server = start_daphne(DATABASE_CONN_MAX_AGE="600")
    status, _ = login(server.base_url, user.email)
    assert status == 200
    with connection.cursor() as cursor:
        assert server_connections(cursor) >= 1  # Daphne kept its connection open
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    for _ in range(3):
        status, body = login(server.base_url, user.email)
        assert status == 200
        assert body["user"]["email"] == user.email
