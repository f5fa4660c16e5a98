"""One test per admin-SPA call of CLIENT_CONTRACT.md: the ``{"message", "data"}`` envelope
and the fields the admin app reads under ``data``. (``lesson-media/`` is covered with a
real upload in video_tutorials/tests/test_transcoding.py.)"""

import json

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from courses.models import PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory
from video_tutorials.models import Recording

pytestmark = pytest.mark.django_db

STATUS_FIELDS = {"status", "status_display", "review_notes", "submitted_for_review_at", "published_at"}
LESSON_FIELDS = {"id", "lesson_id", "title", "order", "duration_seconds", "thumbnail", "content", "videos"}
VIDEO_FIELDS = {"video_url", "subtitles_url", "duration", "language"}


@pytest.fixture
def lesson():
    """A lesson with steps and a transcoded video, in a course; everything in review."""
    course = CourseFactory(status=PublishStatus.IN_REVIEW)
    module = ModuleFactory(course=course, status=PublishStatus.IN_REVIEW)
    lesson = LessonStepFactory(lesson=LessonFactory(module=module, status=PublishStatus.IN_REVIEW)).lesson
    Recording.objects.create(title="Links", lesson=lesson, status=Recording.Status.READY, is_published=True)
    return lesson


def data_of(response, status: int = 200):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body["data"]


def assert_lesson_shape(lesson: dict, *, with_video: bool) -> None:
    assert LESSON_FIELDS | STATUS_FIELDS <= set(lesson)
    assert len(lesson["videos"]) == (1 if with_video else 0)
    if with_video:
        assert VIDEO_FIELDS <= set(lesson["videos"][0])


def assert_course_shape(course: dict, *, with_video: bool = True) -> None:
    assert {"id", "course_id", "title", "modules"} | STATUS_FIELDS <= set(course)
    module = course["modules"][0]
    assert {"id", "module_id", "title", "lessons"} | STATUS_FIELDS <= set(module)
    assert_lesson_shape(module["lessons"][0], with_video=with_video)


def test_login_admin(api_client, make_user):
    admin = make_user("admin")
    data = data_of(
        api_client.post(
            "/api/accounts/login-admin/",
            {"email": admin.email, "password": DEFAULT_PASSWORD, "fcm_token": "t"},
            format="json",
        )
    )
    assert data.get("access") or data.get("token")
    assert {"refresh", "first_name", "last_name", "user_id", "admin_id", "email", "photo"} <= set(data)


def test_list_courses_pages_under_data(admin_client, lesson):
    data = data_of(admin_client.get("/api/admin/content/courses/"))
    assert (data["count"], data["page"], data["page_size"], data["total_pages"]) == (1, 1, 20, 1)
    assert_course_shape(data["courses"][0])


def test_create_course(admin_client):
    data = data_of(
        admin_client.post("/api/admin/content/courses/", {"title": "Data", "level": "B8"}, format="json"), 201
    )
    assert data["course_id"].startswith("CRS-") and data["modules"] == [] and data["status"] == "draft"


def test_get_course(admin_client, lesson):
    assert_course_shape(data_of(admin_client.get(f"/api/admin/content/courses/{lesson.module.course.course_id}/")))


def test_patch_course(admin_client, lesson):
    course_id = lesson.module.course.course_id
    data = data_of(admin_client.patch(f"/api/admin/content/courses/{course_id}/", {"summary": "New"}, format="json"))
    assert data["summary"] == "New"
    assert_course_shape(data)


def test_create_module(admin_client, lesson):
    body = {"course": lesson.module.course.course_id, "title": "CSS"}
    data = data_of(admin_client.post("/api/admin/content/modules/", body, format="json"), 201)
    assert data["module_id"].startswith("MOD-") and data["lessons"] == [] and STATUS_FIELDS <= set(data)


def test_get_and_patch_module_keep_their_lessons_videos(admin_client, lesson):
    url = f"/api/admin/content/modules/{lesson.module.module_id}/"
    assert_lesson_shape(data_of(admin_client.get(url))["lessons"][0], with_video=True)
    data = data_of(admin_client.patch(url, {"title": "HTML tags"}, format="json"))
    assert data["title"] == "HTML tags"
    assert_lesson_shape(data["lessons"][0], with_video=True)


def test_create_lesson(admin_client, lesson):
    body = {"module": lesson.module.module_id, "title": "Forms", "content": "Forms collect input."}
    data = data_of(admin_client.post("/api/admin/content/lessons/", body, format="json"), 201)
    assert data["lesson_id"].startswith("LSN-") and data["content"] == "Forms collect input."
    assert_lesson_shape(data, with_video=False)


def test_get_and_patch_lesson(admin_client, lesson):
    url = f"/api/admin/content/lessons/{lesson.lesson_id}/"
    assert_lesson_shape(data_of(admin_client.get(url)), with_video=True)
    data = data_of(admin_client.patch(url, {"duration_seconds": 90}, format="json"))
    assert data["duration_seconds"] == 90
    assert_lesson_shape(data, with_video=True)


@pytest.mark.parametrize("action, status", [("publish", "published"), ("revert", "draft"), ("archive", "archived")])
def test_lesson_transition_answers_the_lesson_with_its_videos(admin_client, lesson, action, status):
    data = data_of(admin_client.post(f"/api/admin/content/lessons/{lesson.lesson_id}/{action}/", {}, format="json"))
    assert data["status"] == status
    assert_lesson_shape(data, with_video=True)


def test_module_transition_answers_the_module_with_its_lessons_videos(admin_client, lesson):
    lesson.status = PublishStatus.PUBLISHED
    lesson.save()
    url = f"/api/admin/content/modules/{lesson.module.module_id}/publish/"
    data = data_of(admin_client.post(url, {"notes": "Checked"}, format="json"))
    assert data["status"] == "published" and data["review_notes"] == "Checked" and data["published_at"]
    assert_lesson_shape(data["lessons"][0], with_video=True)


def test_course_transitions_answer_the_course_with_every_lessons_videos(admin_client, lesson):
    course = lesson.module.course
    for item in (lesson, lesson.module):
        item.status = PublishStatus.PUBLISHED
        item.save()
    url = f"/api/admin/content/courses/{course.course_id}"
    published = data_of(admin_client.post(f"{url}/publish/", {}, format="json"))
    assert published["status"] == "published"
    assert_course_shape(published)
    reverted = data_of(admin_client.post(f"{url}/revert/", {"notes": "Typo"}, format="json"))
    assert reverted["status"] == "draft"
    assert_course_shape(reverted)
    submitted = data_of(admin_client.post(f"{url}/submit-for-review/", {}, format="json"))
    assert submitted["status"] == "in_review" and submitted["submitted_for_review_at"]
    assert_course_shape(submitted)


def test_audit_log(admin_client, lesson):
    admin_client.post(f"/api/admin/content/lessons/{lesson.lesson_id}/publish/", {"notes": "Good"}, format="json")
    data = data_of(admin_client.get(f"/api/admin/content/courses/{lesson.module.course.course_id}/audit-log/"))
    entry = data[0]
    assert {"id", "from_status", "to_status", "notes", "performed_by", "created_at", "content_object_repr"} <= set(
        entry
    )
    assert (entry["from_status"], entry["to_status"], entry["notes"]) == ("in_review", "published", "Good")


def test_analytics_summary(admin_client, lesson):
    data = data_of(admin_client.get("/api/analytics/admin/summary/"))
    assert isinstance(data["stats"], dict) and isinstance(data["announcements"], list)
    assert {"date", "enrollments", "completions"} <= set(data["timeseries"][0])
    admin_client.post(f"/api/admin/content/lessons/{lesson.lesson_id}/publish/", {}, format="json")
    event = data_of(admin_client.get("/api/analytics/admin/summary/"))["recent_activity"][0]
    assert {"event_type", "description", "actor", "occurred_at", "metadata"} <= set(event)


def test_the_schema_documents_the_envelopes(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)

    def response_ref(path: str, method: str, status: str) -> str:
        return schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]

    assert response_ref("/api/admin/content/courses/", "get", "200").endswith("/AdminCourseListResponse")
    assert response_ref("/api/admin/content/courses/{key}/publish/", "post", "200").endswith("/AdminCourseResponse")
    assert response_ref("/api/admin/content/lessons/", "post", "201").endswith("/AdminLessonResponse")
    assert response_ref("/api/admin/content/courses/{key}/audit-log/", "get", "200").endswith("/AdminAuditLogResponse")
    listing = schema["components"]["schemas"]["AdminCourseListResponse"]["properties"]["data"]
    assert listing["$ref"].endswith("/AdminCourseList")
    parameters = {p["name"] for p in schema["paths"]["/api/admin/content/courses/"]["get"]["parameters"]}
    assert {"page", "page_size"} <= parameters
