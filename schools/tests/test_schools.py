"""Schools: admins create, edit and delete them; the sign-up page lists active ones."""

import pytest

from courses.tests.factories import SchoolFactory
from schools.models import School

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user, client_for):
    return client_for(make_user("admin"))


def test_admin_creates_edits_and_deletes_a_school(admin_client):
    created = admin_client.post(
        "/api/schools/", {"name": "Tamale SHS", "region": "Northern", "code": "GES-TML-1"}, format="json"
    )
    assert created.status_code == 201, created.content
    url = f"/api/schools/{created.json()['school_id']}/"

    edited = admin_client.patch(url, {"district": "Tamale Metropolitan"}, format="json")

    assert edited.status_code == 200 and edited.json()["district"] == "Tamale Metropolitan"
    assert admin_client.delete(url).status_code == 204
    assert not School.objects.filter(code="GES-TML-1").exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Tamale SHS", "region": "Atlantis", "code": "GES-1"}, "region"),
        ({"name": "Tamale SHS", "region": "Northern"}, "code"),
        ({"name": "Tamale SHS", "region": "Northern", "code": "GES-1", "headmaster": "x"}, "headmaster"),
        ({"name": "x" * 201, "region": "Northern", "code": "GES-1"}, "name"),
    ],
)
def test_bad_school_input_is_a_400_naming_the_field(admin_client, body, field):
    response = admin_client.post("/api/schools/", body, format="json")

    assert response.status_code == 400 and field in response.json()["errors"]
    assert School.objects.count() == 0


def test_a_duplicate_ges_code_is_refused(admin_client):
    SchoolFactory(code="GES-00001")

    response = admin_client.post(
        "/api/schools/", {"name": "Copy", "region": "Northern", "code": "GES-00001"}, format="json"
    )

    assert response.status_code == 400 and "code" in response.json()["errors"]
    assert School.objects.count() == 1


def test_the_sign_up_list_shows_active_schools_only_without_login(api_client):
    SchoolFactory(name="Open School")
    SchoolFactory(name="Closed School", is_active=False)

    response = api_client.get("/api/schools/get-all-schools/?search=school")

    assert response.status_code == 200
    assert [s["name"] for s in response.json()["data"]["schools"]] == ["Open School"]


@pytest.mark.parametrize("rows", [5, 50])
def test_school_lists_run_a_flat_number_of_queries(admin_client, api_client, django_assert_num_queries, rows):
    for _ in range(rows):
        SchoolFactory()

    with django_assert_num_queries(4):  # the admin's user, count, page, classes
        assert admin_client.get("/api/schools/?page_size=100").json()["count"] == rows
    with django_assert_num_queries(2):  # count, page
        assert api_client.get("/api/schools/get-all-schools/?page_size=100").json()["data"]["count"] == rows


def test_the_sign_up_list_pages_50_schools_unless_asked_otherwise(api_client):
    for number in range(51):
        SchoolFactory(name=f"School {number:02d}")

    first = api_client.get("/api/schools/get-all-schools/").json()["data"]
    second = api_client.get("/api/schools/get-all-schools/?page=2").json()["data"]
    small = api_client.get("/api/schools/get-all-schools/?page_size=10").json()["data"]

    assert (len(first["schools"]), first["count"], first["page"], first["total_pages"]) == (50, 51, 1, 2)
    assert [s["name"] for s in second["schools"]] == ["School 50"]
    assert (len(small["schools"]), small["total_pages"]) == (10, 6)
