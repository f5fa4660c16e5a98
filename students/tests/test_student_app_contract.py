"""One test per student-SPA call of CLIENT_CONTRACT.md, asserting the fields it reads."""

import pytest

from courses.models import Enrollment, LessonProgress, PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    step = LessonStepFactory()
    return step.lesson


def test_get_experience_me(student_client):
    data = student_client.get("/api/students/experience/me/").json()["data"]
    for field in (
        "email",
        "first_name",
        "last_name",
        "preferred_language",
        "interest_tags",
        "accessibility_preferences",
        "has_completed_onboarding",
    ):
        assert field in data
    assert isinstance(data["interest_tags"], list)


def test_patch_experience_me(student_client):
    response = student_client.patch(
        "/api/students/experience/me/",
        {
            "preferred_language": "tw",
            "interest_tags": ["games"],
            "accessibility_preferences": ["captions"],
            "allow_offline_downloads": True,
            "complete_onboarding": True,
        },
        format="json",
    )
    data = response.json()["data"]
    assert data["preferred_language"] == "tw"
    assert data["interest_tags"] == ["games"] and data["has_completed_onboarding"] is True


def test_catalog_lists_published_courses_with_search(student_client, lesson):
    CourseFactory(title="Hidden draft", status=PublishStatus.DRAFT)
    course = lesson.module.course
    body = student_client.get("/api/students/experience/catalog/?page=1&page_size=10&search=first").json()
    courses = body["data"]["courses"]
    assert [c["course_id"] for c in courses] == [course.course_id]
    for field in (
        "course_id",
        "title",
        "summary",
        "description",
        "image",
        "level",
        "tags",
        "estimated_duration_minutes",
    ):
        assert field in courses[0]


def test_catalog_detail_has_modules_and_lessons(student_client, lesson):
    course = lesson.module.course
    data = student_client.get(f"/api/students/experience/catalog/{course.course_id}/").json()["data"]
    module = data["modules"][0]
    assert module["module_id"] and module["title"]
    assert module["lessons"][0]["lesson_id"] == lesson.lesson_id
    for field in ("title", "summary", "lesson_type", "estimated_duration_minutes"):
        assert field in module["lessons"][0]


def test_enroll_is_idempotent(student_client, student, lesson):
    course = lesson.module.course
    url = f"/api/students/experience/catalog/{course.course_id}/enroll/"
    assert student_client.post(url).status_code == 201
    assert student_client.post(url).status_code == 200  # a retry after a network cut
    assert Enrollment.objects.filter(user=student, course=course).count() == 1


def test_dashboard(student_client, student, lesson):
    student_client.patch(
        f"/api/students/experience/lessons/{lesson.lesson_id}/progress/", {"last_position_seconds": 42}, format="json"
    )
    data = student_client.get("/api/students/experience/dashboard/").json()["data"]
    assert data["continue_learning"]["lesson_id"] == lesson.lesson_id
    assert data["stats"]["streak_days"] == 1


def test_lesson_for_player_has_steps_without_expected_code(student_client, lesson):
    data = student_client.get(f"/api/students/experience/lessons/{lesson.lesson_id}/").json()["data"]
    assert data["steps"][0]["instructions"]
    assert "expected_code" not in data["steps"][0]
    assert "Akwaaba</h1>" not in str(data)
    assert "videos" in data and "recording" in data


def test_admin_sees_expected_code(admin_client, lesson):
    data = admin_client.get(f"/api/lessons/{lesson.lesson_id}/").json()
    assert data["steps"][0]["expected_code"]


def test_progress_patch_saves_resume_position(student_client, student, lesson):
    url = f"/api/students/experience/lessons/{lesson.lesson_id}/progress/"
    response = student_client.patch(url, {"last_position_seconds": 75.5, "completed": True}, format="json")
    assert response.status_code == 200
    progress = LessonProgress.objects.get(user=student, lesson=lesson)
    assert progress.last_position_seconds == 75.5 and progress.completed_at is not None


@pytest.mark.parametrize(
    "payload",
    [
        {"last_position_seconds": -1},
        {"last_position_seconds": 10_000},  # beyond the lesson's 600 s
        {"last_position_seconds": "abc"},
        {"steps_completed": [99]},
        {"unknown": 1},
    ],
)
def test_bad_progress_is_400_and_changes_nothing(student_client, student, lesson, payload):
    url = f"/api/students/experience/lessons/{lesson.lesson_id}/progress/"
    response = student_client.patch(url, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "errors"}
    assert not LessonProgress.objects.filter(user=student).exists()


def test_get_all_schools_is_public(api_client):
    SchoolFactory(name="Prempeh College")
    data = api_client.get("/api/schools/get-all-schools/?search=prempeh&page=1").json()["data"]
    assert data["schools"][0]["name"] == "Prempeh College"
    assert data["schools"][0]["school_id"].startswith("SCH-")


def test_unpublished_lesson_is_404_for_students(student_client):
    draft = LessonFactory(status=PublishStatus.DRAFT, module=ModuleFactory())
    assert student_client.get(f"/api/students/experience/lessons/{draft.lesson_id}/").status_code == 404


def test_cached_catalog_shows_a_course_as_soon_as_it_is_published(student_client, lesson):
    url = "/api/students/experience/catalog/"
    assert len(student_client.get(url).json()["data"]["courses"]) == 1
    draft = CourseFactory(title="Second course", status=PublishStatus.DRAFT)
    assert len(student_client.get(url).json()["data"]["courses"]) == 1
    draft.status = PublishStatus.PUBLISHED
    draft.save()
    titles = [c["title"] for c in student_client.get(url).json()["data"]["courses"]]
    assert "Second course" in titles


def test_cached_catalog_keeps_enrolment_flags_per_student(student_client, lesson, make_user, client_for):
    course = lesson.module.course
    student_client.post(f"/api/students/experience/catalog/{course.course_id}/enroll/")
    mine = student_client.get("/api/students/experience/catalog/").json()["data"]["courses"][0]
    theirs = client_for(make_user()).get("/api/students/experience/catalog/").json()["data"]["courses"][0]
    assert mine["is_enrolled"] is True and theirs["is_enrolled"] is False
