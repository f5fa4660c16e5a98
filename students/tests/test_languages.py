"""The apps' language values: the SPA's onboarding picker and profile send names
(``English``, ``Twi``, ``Ga``, ``Ewe``); every place a language is written takes names
and codes in any case, the student-experience profile answers with the name (and the
code beside it), and the clean API keeps codes."""

import pytest
from rest_framework.exceptions import ValidationError

from accounts.models import User

pytestmark = pytest.mark.django_db

ME = "/api/students/experience/me/"


@pytest.mark.parametrize(
    ("sent", "code", "name"),
    [
        ("Twi", "tw", "Twi"),
        ("twi", "tw", "Twi"),
        ("TW", "tw", "Twi"),
        ("English", "en", "English"),
        ("Ga", "gaa", "Ga"),
        ("gaa", "gaa", "Ga"),
        ("Ewe", "ee", "Ewe"),
        (" ewe ", "ee", "Ewe"),
    ],
)
def test_the_spa_profile_takes_names_and_codes_and_shows_the_name(student_client, student, sent, code, name):
    response = student_client.patch(ME, {"preferred_language": sent, "complete_onboarding": True}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["preferred_language"], data["preferred_language_code"]) == (name, code)
    student.refresh_from_db()
    assert student.preferred_language == code  # stored as the code
    shown = student_client.get(ME).json()["data"]
    assert (shown["preferred_language"], shown["preferred_language_code"]) == (name, code)


@pytest.mark.parametrize("sent", ["Klingon", "", "t", 5, None, ["Twi"]])
def test_an_unknown_language_is_a_400_that_changes_nothing(student_client, student, sent):
    response = student_client.patch(ME, {"preferred_language": sent}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and "preferred_language" in body["errors"]
    student.refresh_from_db()
    assert student.preferred_language == "en"


def test_the_clean_api_takes_names_and_keeps_codes(student_client, student):
    response = student_client.patch("/api/accounts/me/", {"preferred_language": "Ewe"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["preferred_language"] == "ee"
    assert student_client.get("/api/accounts/me/").json()["preferred_language"] == "ee"


def test_sign_up_takes_a_language_name(api_client):
    body = {"email": "kwabena@example.com", "password": "Adinkra-Symbol-77", "preferred_language": "GA"}
    response = api_client.post("/api/accounts/register/", body, format="json")
    assert response.status_code == 201, response.content
    assert User.objects.get(email="kwabena@example.com").preferred_language == "gaa"
    assert response.json()["user"]["preferred_language"] == "gaa"


def test_recording_languages_take_names_and_any_case():
    from video_tutorials.serializers import CaptionInputSerializer

    field = CaptionInputSerializer().fields["language"]
    assert [field.run_validation(value) for value in ("Twi", "ENGLISH", "EN-GB", "fr", "tw")] == [
        "tw",
        "en",
        "en-GB",
        "fr",
        "tw",
    ]
    for bad in ("", "english language", "e", "en_GB"):
        with pytest.raises(ValidationError):
            field.run_validation(bad)
