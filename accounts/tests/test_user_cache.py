"""Token users come from the shared cache, and revocation stays exact (issue 14):
deactivating, deleting or re-passwording a user refuses their token on the next request."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ME = "/api/accounts/me/"


@pytest.fixture
def shared_cache(settings, redis_server):
    settings.AUTH_USER_CACHE = True  # off by default in tests (settings.py)
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url}}
    return redis_server


def test_a_known_user_costs_no_query_and_every_change_refuses_the_old_token_at_once(
    shared_cache, make_user, client_for, django_assert_num_queries
):
    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200  # loads and caches the row
    with django_assert_num_queries(0):
        from accounts.authentication import RevocableJWTAuthentication

        request = type("Request", (), {"META": {"HTTP_AUTHORIZATION": client._credentials["HTTP_AUTHORIZATION"]}})
        user, _ = RevocableJWTAuthentication().authenticate(request)
    assert user.pk == student.pk

    student.is_active = False
    student.save(update_fields=["is_active"])
    assert client.get(ME).status_code == 401


def _authenticate(client):
    from accounts.authentication import RevocableJWTAuthentication

    request = type("Request", (), {"META": {"HTTP_AUTHORIZATION": client._credentials["HTTP_AUTHORIZATION"]}})
    user, _ = RevocableJWTAuthentication().authenticate(request)
    return user


def test_an_unchanged_user_is_not_read_again_only_its_generation(shared_cache, make_user, client_for, monkeypatch):
    from core.cache import ResilientRedisCache

    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200  # loads and caches the row
    read = []
    get_many = ResilientRedisCache.get_many
    monkeypatch.setattr(ResilientRedisCache, "get_many", lambda self, keys: read.extend(keys) or get_many(self, keys))
    assert _authenticate(client).pk == student.pk
    assert f"auth:user-generation:{student.user_id}" in read
    assert f"auth:user:{student.user_id}" not in read  # this process's copy is current

    student.first_name = "Renamed"
    student.save(update_fields=["first_name"])
    assert _authenticate(client).first_name == "Renamed"  # a new generation: the copy is not used


def test_a_request_that_changes_its_user_leaves_the_next_requests_user_as_stored(shared_cache, make_user, client_for):
    student = make_user("student", first_name="Ama")
    client = client_for(student)
    assert client.get(ME).status_code == 200
    first = _authenticate(client)
    first.first_name = "Changed in memory only"
    assert _authenticate(client).first_name == "Ama"


def test_a_new_password_refuses_tokens_issued_before_it(shared_cache, make_user, client_for):
    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200
    changed = client.post(
        "/api/accounts/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": "A-new-and-long-Passw0rd"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert client.get(ME).status_code == 401


def test_a_deleted_user_is_refused(shared_cache, make_user, client_for):
    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200
    student.delete()
    assert client.get(ME).status_code == 401


def test_a_change_made_by_another_process_is_seen(shared_cache, make_user, client_for):
    # Another process (a management command, another worker) changes the row and bumps
    # the generation in Redis; this process's next request must see it.
    from django.core.cache import caches

    from accounts.user_cache import _generation_key

    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200
    type(student).objects.filter(pk=student.pk).update(is_active=False)  # no signal here
    caches["default"].set(_generation_key(student.user_id), "moved-by-another-process", timeout=None)
    assert client.get(ME).status_code == 401


def test_without_a_shared_cache_the_database_is_asked_every_time(
    settings, make_user, client_for, django_assert_num_queries
):
    from accounts.authentication import RevocableJWTAuthentication

    settings.AUTH_USER_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200
    request = type("Request", (), {"META": {"HTTP_AUTHORIZATION": client._credentials["HTTP_AUTHORIZATION"]}})
    with django_assert_num_queries(1):
        RevocableJWTAuthentication().authenticate(request)


@pytest.mark.django_db(transaction=False)
def test_a_change_inside_a_transaction_is_seen_by_that_transaction(settings, redis_server, make_user, client_for):
    # Inside an atomic block on_commit waits; the same connection must not get the old row.
    settings.AUTH_USER_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url}}
    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert client.get(ME).status_code == 401


@pytest.fixture
def file_cache(settings, tmp_path):
    """The embedded defaults: in-memory default cache, token users in files (settings.py)."""
    settings.AUTH_USER_CACHE = True
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "file-cache-test"},
        "users": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
    }
    return tmp_path


@pytest.mark.django_db(transaction=False)
def test_without_redis_users_come_from_files_and_another_processes_change_is_seen(
    file_cache, make_user, client_for, django_assert_num_queries
):
    from django.core.cache.backends.filebased import FileBasedCache

    from accounts.authentication import RevocableJWTAuthentication
    from accounts.user_cache import _generation_key

    student = make_user("student")
    client = client_for(student)
    assert client.get(ME).status_code == 200
    request = type("Request", (), {"META": {"HTTP_AUTHORIZATION": client._credentials["HTTP_AUTHORIZATION"]}})
    with django_assert_num_queries(0):
        RevocableJWTAuthentication().authenticate(request)

    # A management command deactivates the user: its post_save writes a new generation
    # into the same directory, through a cache object of its own.
    type(student).objects.filter(pk=student.pk).update(is_active=False)
    FileBasedCache(str(file_cache), {}).set(_generation_key(student.user_id), "by-manage.py", timeout=None)
    assert client.get(ME).status_code == 401


def test_a_verified_token_still_expires(api_client, make_user):
    from datetime import timedelta

    import time_machine
    from rest_framework_simplejwt.tokens import AccessToken

    student = make_user("student")
    token = str(AccessToken.for_user(student))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert api_client.get(ME, **auth).status_code == 200  # verified and remembered
    with time_machine.travel(timedelta(minutes=16)):
        response = api_client.get(ME, **auth)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_tampered_copy_of_a_verified_token_is_refused(api_client, make_user):
    from rest_framework_simplejwt.tokens import AccessToken

    student = make_user("student")
    token = str(AccessToken.for_user(student))
    assert api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    assert api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
