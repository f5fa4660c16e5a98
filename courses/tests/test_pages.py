"""Every paginated list answers a page past the last the way DRF's paginator does: a 404
"Invalid page." in the common error shape, however large the number (it was a 500 once
the OFFSET no longer fit in 64 bits)."""

import pytest

from courses.tests.factories import LessonStepFactory, SchoolFactory

pytestmark = pytest.mark.django_db

INVALID_PAGE = {"detail": "Invalid page.", "code": "not_found", "errors": {}}
PAGINATED = [
    "/api/students/experience/catalog/",
    "/api/schools/get-all-schools/",
    "/api/courses/",
    "/api/notifications/",
    "/api/teachers/dashboard/",
    "/api/admin/content/courses/",
    "/api/admin/students/",
    "/api/admin/teachers/",
]


@pytest.fixture(autouse=True)
def rows():
    LessonStepFactory()
    SchoolFactory()


@pytest.mark.parametrize("page", ["2", "99999999999999999999", "9" * 400])
@pytest.mark.parametrize("url", PAGINATED)
def test_a_page_past_the_last_is_a_404_in_the_error_shape(admin_client, url, page):
    admin_client.raise_request_exception = False  # a 500 must fail the assert, not raise

    response = admin_client.get(f"{url}?page={page}")

    assert (response.status_code, response.json()) == (404, INVALID_PAGE)


def test_signed_out_huge_school_page_is_a_404_not_a_500(api_client):
    api_client.raise_request_exception = False

    response = api_client.get("/api/schools/get-all-schools/?page=99999999999999999999")

    assert (response.status_code, response.json()) == (404, INVALID_PAGE)


@pytest.mark.parametrize("url", ["/api/students/experience/catalog/", "/api/schools/get-all-schools/"])
@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_a_page_that_is_not_a_positive_number_is_a_400(admin_client, url, page):
    response = admin_client.get(f"{url}?page={page}")

    assert response.status_code == 400 and set(response.json()["errors"]) == {"page"}


def test_the_first_page_of_an_empty_list_is_an_empty_page(student_client):
    data = student_client.get("/api/students/experience/catalog/?search=nothing-like-this").json()["data"]

    assert (data["courses"], data["count"], data["page"], data["total_pages"]) == ([], 0, 1, 1)
