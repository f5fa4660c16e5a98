"""Teachers and admins previewing the student app leave no learner data behind: no Student
profile, no enrolment, no progress, so dashboards and analytics count students only."""

import pytest

from courses.models import Enrollment, LessonProgress, PublishStatus
from courses.tests.factories import LessonFactory, LessonStepFactory, SchoolFactory
from students.models import Student
from teachers.models import Teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    return LessonStepFactory().lesson


@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_staff_read_a_default_profile_without_a_student_row(client_for, make_user, role):
    user = make_user(role)

    response = client_for(user).get("/api/students/experience/me/")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["email"], data["school_id"], data["has_completed_onboarding"]) == (user.email, None, False)
    assert not Student.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_staff_cannot_change_a_learning_profile(client_for, make_user, role):
    response = client_for(make_user(role)).patch(
        "/api/students/experience/me/", {"complete_onboarding": True}, format="json"
    )

    assert response.status_code == 403 and set(response.json()) == {"detail", "code", "errors"}
    assert not Student.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "admin"])
@pytest.mark.parametrize(
    "method, url, body",
    [
        ("patch", "/api/students/experience/lessons/{lesson}/progress/", {"last_position_seconds": 5}),
        ("patch", "/api/lessons/{lesson}/progress/", {"last_position_seconds": 5}),
        ("post", "/api/students/experience/catalog/{course}/enroll/", {}),
        ("post", "/api/courses/{course}/enrollment/", {}),
    ],
)
def test_staff_keep_no_progress_or_enrolments(client_for, make_user, lesson, role, method, url, body):
    url = url.format(lesson=lesson.lesson_id, course=lesson.module.course.course_id)

    response = getattr(client_for(make_user(role)), method)(url, body, format="json")

    assert response.status_code == 403
    assert "Only student accounts" in response.json()["detail"]
    assert not Enrollment.objects.exists() and not LessonProgress.objects.exists()


def test_an_admin_still_previews_a_draft_lesson(admin_client):
    draft = LessonStepFactory(lesson=LessonFactory(status=PublishStatus.DRAFT)).lesson

    response = admin_client.get(f"/api/students/experience/lessons/{draft.lesson_id}/")

    assert response.status_code == 200 and response.json()["data"]["steps"][0]["expected_code"]


def test_dashboards_list_student_accounts_only(client_for, make_user):
    school = SchoolFactory()
    teacher = make_user("teacher")
    Teacher.objects.create(user=teacher).schools.add(school)
    learner = make_user("student")
    Student.objects.create(user=learner, school=school)
    # a profile a staff preview left behind before this was fixed
    Student.objects.create(user=make_user("admin"), school=school)
    admin = make_user("admin")
    client_for(admin).get("/api/students/experience/me/")

    for viewer in (teacher, admin):
        students = client_for(viewer).get("/api/teachers/dashboard/").json()["data"]["students"]
        assert [row["user_id"] for row in students] == [learner.user_id]


def test_admin_analytics_count_students_only(admin_client, client_for, make_user, lesson):
    student = make_user("student")
    client_for(student).patch(f"/api/lessons/{lesson.lesson_id}/progress/", {"completed": True}, format="json")
    # rows staff previews left before this was fixed
    staff = make_user("teacher")
    Enrollment.objects.create(user=staff, course=lesson.module.course)
    LessonProgress.objects.create(user=staff, lesson=lesson, completed_at=lesson.created_at)

    stats = admin_client.get("/api/analytics/admin/summary/").json()["data"]["stats"]

    assert (stats["enrollments"], stats["lessons_completed"], stats["active_students_7d"]) == (1, 1, 1)
