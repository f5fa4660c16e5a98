"""Admins open, place and deactivate student accounts through the API."""

import pytest
from django.core import mail

from accounts.models import User
from courses.tests.factories import SchoolFactory
from schools.models import SchoolClass
from students.models import Student

pytestmark = pytest.mark.django_db

STRONG = "Kente-Weaver-2026"


@pytest.fixture
def admin_client(make_user, client_for):
    return client_for(make_user("admin"))


@pytest.fixture
def gold():
    return SchoolClass.objects.create(school=SchoolFactory(name="Accra Academy"), name="JHS 2 Gold", level="B8")


def new_student(admin_client, django_capture_on_commit_callbacks, **overrides):
    payload = {"email": "ama.owusu@example.com", "first_name": "Ama", "last_name": "Owusu", **overrides}
    with django_capture_on_commit_callbacks(execute=True):
        return admin_client.post("/api/admin/students/", payload, format="json")


def test_a_class_places_the_new_student_in_its_school_and_level(admin_client, gold, django_capture_on_commit_callbacks):
    response = new_student(admin_client, django_capture_on_commit_callbacks, class_id=gold.class_id)

    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("school_id", "school_name", "class_id", "class_name", "level")} == {
        "school_id": gold.school.school_id,
        "school_name": "Accra Academy",
        "class_id": gold.class_id,
        "class_name": "JHS 2 Gold",
        "level": "B8",
    }
    assert body["has_password"] is False and body["email_verified"] is False
    assert User.objects.get(user_id=body["user_id"]).role == User.Role.STUDENT
    assert [m.to for m in mail.outbox] == [["ama.owusu@example.com"]]


def test_a_student_given_a_password_uses_the_student_app_at_once(
    admin_client, api_client, django_capture_on_commit_callbacks
):
    new_student(admin_client, django_capture_on_commit_callbacks, password=STRONG, level="SHS1")

    login = api_client.post(
        "/api/accounts/login-student/", {"email": "ama.owusu@example.com", "password": STRONG}, format="json"
    )
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['data']['access']}")
    assert api_client.get("/api/students/experience/me/").json()["data"]["level"] == "SHS1"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"school_id": "SCH-NOPE"}, "school_id"),
        ({"class_id": "CLS-NOPE"}, "class_id"),
        ({"level": "B12"}, "level"),
        ({"level": "B9", "class_id": "{gold}"}, "level"),
        ({"school_id": "{other_school}", "class_id": "{gold}"}, "class_id"),
        ({"school_id": 5}, "school_id"),
        ({"password": "password"}, "password"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_student_input_is_a_400_that_names_the_field_and_stores_nothing(
    admin_client, gold, django_capture_on_commit_callbacks, overrides, field
):
    ids = {"gold": gold.class_id, "other_school": SchoolFactory().school_id}
    overrides = {k: v.format(**ids) if isinstance(v, str) else v for k, v in overrides.items()}

    response = new_student(admin_client, django_capture_on_commit_callbacks, **overrides)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "code", "errors"} and field in response.json()["errors"]
    assert not User.objects.filter(email="ama.owusu@example.com").exists() and mail.outbox == []


def test_moving_a_student_to_another_school_leaves_the_old_class_and_keeps_the_level(
    admin_client, gold, django_capture_on_commit_callbacks
):
    created = new_student(admin_client, django_capture_on_commit_callbacks, class_id=gold.class_id).json()
    kumasi = SchoolFactory(name="Kumasi Academy")

    moved = admin_client.patch(
        f"/api/admin/students/{created['user_id']}/", {"school_id": kumasi.school_id}, format="json"
    )

    assert moved.status_code == 200, moved.content
    assert (moved.json()["school_name"], moved.json()["class_id"], moved.json()["level"]) == (
        "Kumasi Academy",
        None,
        "B8",
    )


def test_a_patch_changes_only_what_it_names(admin_client, gold, django_capture_on_commit_callbacks):
    created = new_student(admin_client, django_capture_on_commit_callbacks, class_id=gold.class_id).json()
    url = f"/api/admin/students/{created['user_id']}/"

    renamed = admin_client.patch(url, {"first_name": "Adwoa"}, format="json").json()
    unplaced = admin_client.patch(url, {"class_id": None}, format="json").json()

    assert (renamed["first_name"], renamed["last_name"], renamed["class_id"]) == ("Adwoa", "Owusu", gold.class_id)
    assert (unplaced["school_id"], unplaced["class_id"], unplaced["level"]) == (gold.school.school_id, None, "B8")


def test_a_refused_patch_changes_nothing(admin_client, gold, django_capture_on_commit_callbacks):
    created = new_student(admin_client, django_capture_on_commit_callbacks, class_id=gold.class_id).json()

    response = admin_client.patch(
        f"/api/admin/students/{created['user_id']}/", {"first_name": "Adwoa", "level": "SHS3"}, format="json"
    )

    assert response.status_code == 400 and "level" in response.json()["errors"]
    student = Student.objects.select_related("user").get(user__user_id=created["user_id"])
    assert (student.user.first_name, student.level, student.school_class_id) == ("Ama", "B8", gold.pk)


def test_a_deactivated_students_token_stops_working(
    admin_client, api_client, client_for, django_capture_on_commit_callbacks
):
    created = new_student(admin_client, django_capture_on_commit_callbacks).json()
    student_client = client_for(User.objects.get(user_id=created["user_id"]))
    assert student_client.get("/api/students/experience/me/").status_code == 200

    admin_client.patch(f"/api/admin/students/{created['user_id']}/", {"is_active": False}, format="json")

    response = student_client.get("/api/students/experience/me/")
    assert response.status_code == 401 and set(response.json()) == {"detail", "code", "errors"}


def test_the_student_list_filters_and_leaves_out_staff_preview_profiles(
    admin_client, gold, make_user, django_capture_on_commit_callbacks
):
    placed = new_student(admin_client, django_capture_on_commit_callbacks, class_id=gold.class_id).json()
    unplaced = new_student(
        admin_client,
        django_capture_on_commit_callbacks,
        email="kwame.asante@example.com",
        first_name="Kwame",
        last_name="Asante",
        level="SHS2",
    ).json()
    Student.objects.create(user=make_user("teacher"), school=gold.school)  # a teacher previewing the app

    def ids(query=""):
        response = admin_client.get(f"/api/admin/students/{query}")
        assert response.status_code == 200, response.content
        return [row["user_id"] for row in response.json()["results"]]

    assert ids() == [unplaced["user_id"], placed["user_id"]]  # Asante before Owusu
    assert ids(f"?school_id={gold.school.school_id}") == [placed["user_id"]]
    assert ids(f"?class_id={gold.class_id}") == [placed["user_id"]]
    assert ids("?level=SHS2") == [unplaced["user_id"]]
    assert ids("?search=KWAME") == [unplaced["user_id"]]
    assert ids("?is_active=true") == [unplaced["user_id"], placed["user_id"]]
    assert admin_client.get("/api/admin/students/?level=P6").status_code == 400


def test_unknown_and_non_student_ids_are_404(admin_client, make_user):
    teacher = make_user("teacher")
    Student.objects.create(user=teacher)

    assert admin_client.get("/api/admin/students/USR-NOPE/").status_code == 404
    assert admin_client.get(f"/api/admin/students/{teacher.user_id}/").status_code == 404
    assert admin_client.delete(f"/api/admin/students/{teacher.user_id}/").status_code == 405


@pytest.mark.parametrize("rows", [5, 50])
def test_student_list_query_count_is_flat(admin_client, gold, make_user, django_assert_num_queries, rows):
    for _ in range(rows):
        Student.objects.create(user=make_user("student"), school=gold.school, school_class=gold, level="B8")

    # the admin's user, count, page
    with django_assert_num_queries(3):
        response = admin_client.get("/api/admin/students/?page_size=100")
    assert response.json()["count"] == rows
