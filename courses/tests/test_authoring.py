"""Admin content authoring: create, edit, the publishing workflow and its audit log."""

import pytest

from courses.models import ContentTransition, Course, Lesson, PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_course_module_lesson(admin_client):
    course = admin_client.post(
        "/api/admin/content/courses/", {"title": "Web basics", "level": "B8", "tags": ["html"]}, format="json"
    )
    assert course.status_code == 201, course.content
    course_id = course.json()["data"]["course_id"]
    module = admin_client.post("/api/admin/content/modules/", {"course": course_id, "title": "HTML"}, format="json")
    assert module.status_code == 201, module.content
    lesson = admin_client.post(
        "/api/admin/content/lessons/",
        {"module": module.json()["data"]["module_id"], "title": "Links", "content": "Links join pages."},
        format="json",
    )
    assert lesson.status_code == 201, lesson.content
    detail = admin_client.get(f"/api/admin/content/courses/{course_id}/").json()["data"]
    assert detail["modules"][0]["lessons"][0]["title"] == "Links"
    assert detail["status"] == "draft" and detail["status_display"] == "Draft"
    edited = admin_client.patch(f"/api/admin/content/courses/{course_id}/", {"summary": "New"}, format="json")
    assert edited.json()["data"]["summary"] == "New"


def test_workflow_with_audit_log(admin_client, admin_user):
    lesson = LessonStepFactory(lesson=LessonFactory(status=PublishStatus.DRAFT)).lesson
    url = f"/api/admin/content/lessons/{lesson.lesson_id}"
    submitted = admin_client.post(f"{url}/submit-for-review/", {"notes": "Ready for Ama"}, format="json").json()
    assert submitted["data"]["status"] == "in_review" and submitted["data"]["submitted_for_review_at"]
    published = admin_client.post(f"{url}/publish/", {}, format="json").json()["data"]
    assert published["status"] == "published" and published["published_at"]
    reverted = admin_client.post(f"{url}/revert/", {"notes": "Typo in step 1"}, format="json").json()["data"]
    assert reverted["status"] == "draft"
    log = admin_client.get(f"/api/admin/content/courses/{lesson.module.course.course_id}/audit-log/").json()["data"]
    assert [(t["from_status"], t["to_status"]) for t in log] == [
        ("published", "draft"),
        ("in_review", "published"),
        ("draft", "in_review"),
    ]
    assert log[0]["notes"] == "Typo in step 1" and log[0]["performed_by"]
    assert {"id", "content_object_repr", "created_at"} <= set(log[0])


def test_publishing_an_empty_lesson_is_a_400_that_says_why(admin_client):
    lesson = LessonFactory(status=PublishStatus.IN_REVIEW)
    response = admin_client.post(f"/api/admin/content/lessons/{lesson.lesson_id}/publish/", {}, format="json")
    assert response.status_code == 400
    assert "needs steps" in response.json()["detail"]
    lesson.refresh_from_db()
    assert lesson.status == PublishStatus.IN_REVIEW
    assert not ContentTransition.objects.exists()


def test_transition_not_allowed_from_current_status(admin_client):
    course = CourseFactory(status=PublishStatus.DRAFT)
    response = admin_client.post(f"/api/admin/content/courses/{course.course_id}/revert/", {}, format="json")
    assert response.status_code == 400
    assert Course.objects.get(pk=course.pk).status == PublishStatus.DRAFT


@pytest.mark.parametrize(
    "payload",
    [{"title": ""}, {"title": "x" * 300}, {"level": "P6"}, {"tags": "html"}, {"estimated_duration_minutes": -5}],
)
def test_bad_course_input_is_400_and_stores_nothing(admin_client, payload):
    response = admin_client.post(
        "/api/admin/content/courses/", {"title": "ok", "level": "B8", **payload}, format="json"
    )
    assert response.status_code == 400
    assert not Course.objects.exists()


def test_lesson_order_cannot_be_negative(admin_client):
    module = ModuleFactory()
    response = admin_client.post(
        "/api/admin/content/lessons/", {"module": module.module_id, "title": "x", "order": -1}, format="json"
    )
    assert response.status_code == 400
    assert not Lesson.objects.exists()


def test_admin_summary_counts_real_rows(admin_client, student_client):
    lesson = LessonStepFactory().lesson
    student_client.post(f"/api/students/experience/catalog/{lesson.module.course.course_id}/enroll/")
    data = admin_client.get("/api/analytics/admin/summary/").json()["data"]
    assert data["stats"]["enrollments"] == 1
    assert data["timeseries"][-1]["enrollments"] == 1
    assert data["recent_activity"][0]["event_type"] == "enrollment"


@pytest.mark.parametrize("rows", [5, 50])
def test_list_endpoints_run_a_constant_number_of_queries(
    rows, student_client, admin_client, django_assert_max_num_queries
):
    for _ in range(rows):
        LessonStepFactory()
    # user, count, page, the outline's modules and lessons, enrolments
    with django_assert_max_num_queries(6):
        assert student_client.get("/api/students/experience/catalog/?page_size=100").status_code == 200
    with django_assert_max_num_queries(6):
        assert student_client.get("/api/courses/?page_size=100").status_code == 200
    with django_assert_max_num_queries(9):
        assert admin_client.get("/api/admin/content/courses/?page_size=100").status_code == 200
