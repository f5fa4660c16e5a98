"""Admins open, place and deactivate teacher accounts through the API."""

import re

import pytest
from django.core import mail

from accounts.models import User
from courses.tests.factories import SchoolFactory
from schools.models import SchoolClass
from students.models import Student
from teachers.models import Teacher

pytestmark = pytest.mark.django_db

STRONG = "Kente-Weaver-2026"


@pytest.fixture
def admin_client(make_user, client_for):
    return client_for(make_user("admin"))


@pytest.fixture
def accra():
    school = SchoolFactory(name="Accra Academy")
    SchoolClass.objects.create(school=school, name="JHS 2 Gold", level="B8")
    return school


def new_teacher(admin_client, django_capture_on_commit_callbacks, **overrides):
    payload = {"email": "Kofi.Boateng@Example.com", "first_name": "Kofi", "last_name": "Boateng", **overrides}
    with django_capture_on_commit_callbacks(execute=True):
        return admin_client.post("/api/admin/teachers/", payload, format="json")


def test_admin_opens_a_teacher_account_who_chooses_a_password_and_sees_their_school(
    admin_client, accra, api_client, client_for, django_capture_on_commit_callbacks, make_user
):
    gold = accra.classes.get()
    pupil = make_user("student", first_name="Ama")
    Student.objects.create(user=pupil, school=accra, school_class=gold, level="B8")

    response = new_teacher(
        admin_client,
        django_capture_on_commit_callbacks,
        school_ids=[accra.school_id],
        class_ids=[gold.class_id],
        subject="Computing",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "kofi.boateng@example.com"
    assert body["has_password"] is False and body["is_active"] is True
    assert body["schools"] == [{"school_id": accra.school_id, "name": "Accra Academy"}]
    assert body["classes"] == [
        {"class_id": gold.class_id, "name": "JHS 2 Gold", "level": "B8", "school_id": accra.school_id}
    ]
    assert User.objects.get(user_id=body["user_id"]).role == User.Role.TEACHER
    (welcome,) = mail.outbox
    assert welcome.to == ["kofi.boateng@example.com"] and "Forgot password" in welcome.body
    assert not re.search(r"\b\d{6}\b", welcome.body)  # no code or secret in the welcome

    login = {"email": "kofi.boateng@example.com", "password": STRONG}
    assert api_client.post("/api/accounts/login/", login, format="json").status_code == 401
    api_client.post("/api/accounts/password/reset/", {"email": login["email"]}, format="json")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    reset = {"email": login["email"], "code": code, "new_password": STRONG}
    assert api_client.post("/api/accounts/password/reset/confirm/", reset, format="json").status_code == 200
    signed_in = api_client.post("/api/accounts/login/", login, format="json")
    assert signed_in.status_code == 200, signed_in.content

    teacher = User.objects.get(user_id=body["user_id"])
    dashboard = client_for(teacher).get("/api/teachers/dashboard/").json()["data"]
    assert [row["user_id"] for row in dashboard["students"]] == [pupil.user_id]


def test_a_teacher_given_a_password_signs_in_at_once(admin_client, api_client, django_capture_on_commit_callbacks):
    response = new_teacher(admin_client, django_capture_on_commit_callbacks, password=STRONG)

    assert response.status_code == 201 and response.json()["has_password"] is True
    assert "password" not in response.json()
    login = {"email": "kofi.boateng@example.com", "password": STRONG}
    assert api_client.post("/api/accounts/login/", login, format="json").status_code == 200


def test_a_weak_password_is_refused_and_nothing_is_stored(admin_client, django_capture_on_commit_callbacks):
    response = new_teacher(admin_client, django_capture_on_commit_callbacks, password="12345678")

    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not User.objects.filter(email="kofi.boateng@example.com").exists() and mail.outbox == []


def test_a_retried_create_is_refused_and_stores_one_teacher(admin_client, django_capture_on_commit_callbacks):
    first = new_teacher(admin_client, django_capture_on_commit_callbacks)
    again = new_teacher(admin_client, django_capture_on_commit_callbacks, email="KOFI.boateng@example.com")

    assert first.status_code == 201
    assert again.status_code == 400 and again.json()["errors"]["email"]
    assert Teacher.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"school_ids": ["SCH-NOPE"]}, "school_ids"),
        ({"class_ids": ["CLS-NOPE"]}, "class_ids"),
        ({"school_ids": "SCH-1"}, "school_ids"),
        ({"email": "not an email"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"role": "admin"}, "role"),
        ({"is_staff": True}, "is_staff"),
    ],
)
def test_bad_teacher_input_is_a_400_that_names_the_field(
    admin_client, django_capture_on_commit_callbacks, overrides, field
):
    response = new_teacher(admin_client, django_capture_on_commit_callbacks, **overrides)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "code", "errors"} and field in response.json()["errors"]
    assert not User.objects.filter(email="kofi.boateng@example.com").exists()


def test_a_class_of_a_school_the_teacher_is_not_in_is_refused(admin_client, accra, django_capture_on_commit_callbacks):
    other = SchoolFactory()
    response = new_teacher(
        admin_client,
        django_capture_on_commit_callbacks,
        school_ids=[other.school_id],
        class_ids=[accra.classes.get().class_id],
    )

    assert response.status_code == 400 and "JHS 2 Gold" in response.json()["errors"]["class_ids"][0]
    assert not User.objects.filter(email="kofi.boateng@example.com").exists() and mail.outbox == []


def test_moving_a_teacher_to_another_school_drops_the_old_schools_classes(
    admin_client, accra, django_capture_on_commit_callbacks
):
    gold = accra.classes.get()
    kumasi = SchoolFactory(name="Kumasi Academy")
    created = new_teacher(
        admin_client, django_capture_on_commit_callbacks, school_ids=[accra.school_id], class_ids=[gold.class_id]
    ).json()

    moved = admin_client.patch(
        f"/api/admin/teachers/{created['user_id']}/", {"school_ids": [kumasi.school_id]}, format="json"
    )

    assert moved.status_code == 200, moved.content
    assert moved.json()["schools"] == [{"school_id": kumasi.school_id, "name": "Kumasi Academy"}]
    assert moved.json()["classes"] == []


def test_a_deactivated_teacher_is_signed_out_everywhere_and_can_be_let_back_in(
    admin_client, api_client, django_capture_on_commit_callbacks
):
    created = new_teacher(admin_client, django_capture_on_commit_callbacks, password=STRONG).json()
    login = {"email": "kofi.boateng@example.com", "password": STRONG}
    tokens = api_client.post("/api/accounts/login/", login, format="json").json()
    url = f"/api/admin/teachers/{created['user_id']}/"

    off = admin_client.patch(url, {"is_active": False}, format="json")

    assert off.status_code == 200 and off.json()["is_active"] is False
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/teachers/dashboard/").status_code == 401
    api_client.credentials()
    assert (
        api_client.post("/api/accounts/token/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code
        == 401
    )
    assert api_client.post("/api/accounts/login/", login, format="json").status_code == 401

    assert admin_client.patch(url, {"is_active": True}, format="json").status_code == 200
    assert api_client.post("/api/accounts/login/", login, format="json").status_code == 200
    assert Teacher.objects.count() == 1  # nothing was deleted


def test_the_teacher_list_filters_and_searches_and_lists_teachers_only(
    admin_client, accra, make_user, django_capture_on_commit_callbacks
):
    mine = new_teacher(admin_client, django_capture_on_commit_callbacks, school_ids=[accra.school_id]).json()
    elsewhere = new_teacher(
        admin_client,
        django_capture_on_commit_callbacks,
        email="yaa.mensah@example.com",
        first_name="Yaa",
        last_name="Mensah",
        school_ids=[SchoolFactory().school_id],
    ).json()
    admin_client.patch(f"/api/admin/teachers/{elsewhere['user_id']}/", {"is_active": False}, format="json")
    make_user("student")

    def ids(query=""):
        response = admin_client.get(f"/api/admin/teachers/{query}")
        assert response.status_code == 200, response.content
        return [row["user_id"] for row in response.json()["results"]]

    assert ids() == [mine["user_id"], elsewhere["user_id"]]  # by last name
    assert ids(f"?school_id={accra.school_id}") == [mine["user_id"]]
    assert ids("?is_active=false") == [elsewhere["user_id"]]
    assert ids("?search=mensah") == [elsewhere["user_id"]]
    assert admin_client.get("/api/admin/teachers/?is_active=maybe").status_code == 400


def test_unknown_or_non_teacher_ids_are_404_and_accounts_are_never_deleted(admin_client, make_user):
    pupil = make_user("student")

    assert admin_client.get("/api/admin/teachers/USR-NOPE/").status_code == 404
    assert admin_client.get(f"/api/admin/teachers/{pupil.user_id}/").status_code == 404
    assert admin_client.patch("/api/admin/teachers/USR-NOPE/", {"first_name": "X"}, format="json").status_code == 404
    assert admin_client.delete(f"/api/admin/teachers/{pupil.user_id}/").status_code == 405


@pytest.mark.parametrize("rows", [5, 50])
def test_teacher_list_query_count_is_flat(admin_client, make_user, django_assert_num_queries, rows):
    schools = [SchoolFactory(), SchoolFactory()]
    for school in schools:
        SchoolClass.objects.create(school=school, name="JHS 1", level="B7")
    for _ in range(rows):
        teacher = Teacher.objects.create(user=make_user("teacher"))
        teacher.schools.set(schools)
        teacher.classes.set(SchoolClass.objects.all())

    # the admin's user, count, page, schools, classes
    with django_assert_num_queries(5):
        response = admin_client.get("/api/admin/teachers/?page_size=100")
    assert response.json()["count"] == rows and len(response.json()["results"][0]["classes"]) == 2
