"""Creating accounts: one account per email, even when two sign-ups race."""

import pytest
from django.db.models.query import QuerySet

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.test_auth_flows import assert_error_shape, register
from students.models import Student

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/accounts/register/", "/api/accounts/register-student/"])
def test_a_sign_up_that_loses_the_race_for_its_email_is_a_400_not_a_500(api_client, monkeypatch, url):
    winner = UserFactory(email="esi.asante@example.com")  # the concurrent sign-up, committed
    checks = []
    real_exists = QuerySet.exists

    def first_check_ran_before_the_winner_committed(queryset):
        if queryset.model is User:
            checks.append(queryset)
            if len(checks) == 1:
                return False
        return real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", first_check_ran_before_the_winner_committed)

    body = assert_error_shape(register(api_client, url=url), 400)

    assert body["errors"] == {"email": ["An account with this email already exists."]}
    assert list(User.objects.values_list("pk", flat=True)) == [winner.pk]
    assert not Student.objects.exists()
