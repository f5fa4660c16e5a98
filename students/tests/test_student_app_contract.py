"""One test per student-SPA call of CLIENT_CONTRACT.md, asserting the envelope's ``message``
and every field the app reads under ``data``."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from courses.models import Enrollment, LessonProgress, PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory, SchoolFactory

pytestmark = pytest.mark.django_db

PROFILE_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "preferred_language",
    "interest_tags",
    "accessibility_preferences",
    "has_completed_onboarding",
]
COURSE_FIELDS = [
    "course_id",
    "title",
    "summary",
    "description",
    "image",
    "level",
    "tags",
    "estimated_duration_minutes",
    "modules",
]
OUTLINE_LESSON_FIELDS = ["lesson_id", "title", "summary", "lesson_type", "estimated_duration_minutes"]


@pytest.fixture
def lesson():
    step = LessonStepFactory()
    return step.lesson


def data_of(response, status: int = 200):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body["data"]


def assert_course_shape(course: dict, lesson) -> None:
    """The course shape of the catalog and detail pages, down to the outline's lessons."""
    assert set(COURSE_FIELDS) <= set(course)
    assert isinstance(course["tags"], list)
    module = course["modules"][0]
    assert module["module_id"] == lesson.module.module_id and module["title"] == lesson.module.title
    outline_lesson = module["lessons"][0]
    assert set(OUTLINE_LESSON_FIELDS) <= set(outline_lesson)
    assert outline_lesson["lesson_id"] == lesson.lesson_id and outline_lesson["lesson_type"] == "video"


def test_login_student(api_client, student):
    body = {"email": student.email, "password": DEFAULT_PASSWORD, "fcm_token": "t"}
    data = data_of(api_client.post("/api/accounts/login-student/", body, format="json"))
    assert data["access"] and data["refresh"]


def test_register_student_logs_in(api_client):
    school = SchoolFactory()
    body = {
        "email": "ama@example.com",
        "password": "Kente-Pattern-2024",
        "password2": "Kente-Pattern-2024",
        "first_name": "Ama",
        "last_name": "Mensah",
        "phone": "+233200000000",
        "country": "Ghana",
        "school_id": school.school_id,
    }
    data = data_of(api_client.post("/api/accounts/register-student/", body, format="json"), 201)
    assert data["access"] and data["refresh"]


def test_token_verify_and_refresh(api_client, student):
    login = api_client.post(
        "/api/accounts/login-student/", {"email": student.email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()["data"]
    assert api_client.post("/api/accounts/token/verify/", {"token": login["access"]}, format="json").status_code == 200
    assert api_client.post("/api/accounts/token/verify/", {"token": "nope"}, format="json").status_code == 401
    refreshed = api_client.post("/api/accounts/token/refresh/", {"refresh": login["refresh"]}, format="json")
    assert refreshed.status_code == 200 and refreshed.json()["access"]  # top level, not enveloped


def test_get_experience_me(student_client, student):
    data = data_of(student_client.get("/api/students/experience/me/"))
    assert set(PROFILE_FIELDS) <= set(data)
    assert data["email"] == student.email and data["first_name"] == student.first_name
    assert isinstance(data["interest_tags"], list) and isinstance(data["accessibility_preferences"], list)
    assert data["has_completed_onboarding"] is False


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
    data = data_of(response)
    assert set(PROFILE_FIELDS) <= set(data)
    # Sent as a code, shown as the name the SPA displays (the code beside it).
    assert data["preferred_language"] == "Twi" and data["preferred_language_code"] == "tw"
    assert data["accessibility_preferences"] == ["captions"]
    assert data["interest_tags"] == ["games"] and data["has_completed_onboarding"] is True


def test_catalog_lists_published_courses_with_search(student_client, lesson):
    CourseFactory(title="Hidden draft", status=PublishStatus.DRAFT)
    course = lesson.module.course
    data = data_of(student_client.get("/api/students/experience/catalog/?page=1&page_size=10&search=first"))
    assert [c["course_id"] for c in data["courses"]] == [course.course_id]
    assert_course_shape(data["courses"][0], lesson)


def test_catalog_outline_holds_published_modules_and_lessons_only(student_client, lesson):
    course = lesson.module.course
    LessonFactory(module=lesson.module, title="Draft lesson", status=PublishStatus.DRAFT)
    LessonFactory(module=ModuleFactory(course=course, title="Draft module", status=PublishStatus.DRAFT))

    item = data_of(student_client.get("/api/students/experience/catalog/"))["courses"][0]

    assert [m["module_id"] for m in item["modules"]] == [lesson.module.module_id]
    assert [entry["lesson_id"] for entry in item["modules"][0]["lessons"]] == [lesson.lesson_id]
    assert item["lesson_count"] == 1


def test_catalog_detail_has_modules_and_lessons(student_client, lesson):
    course = lesson.module.course
    data = data_of(student_client.get(f"/api/students/experience/catalog/{course.course_id}/"))
    assert data["course_id"] == course.course_id
    assert_course_shape(data, lesson)


def test_enroll_is_idempotent(student_client, student, lesson):
    course = lesson.module.course
    url = f"/api/students/experience/catalog/{course.course_id}/enroll/"
    assert data_of(student_client.post(url), 201)["is_enrolled"] is True
    assert student_client.post(url).status_code == 200  # a retry after a network cut
    assert Enrollment.objects.filter(user=student, course=course).count() == 1


def test_dashboard(student_client, student, lesson):
    student_client.patch(
        f"/api/students/experience/lessons/{lesson.lesson_id}/progress/", {"last_position_seconds": 42}, format="json"
    )
    data = data_of(student_client.get("/api/students/experience/dashboard/"))
    assert data["continue_learning"]["lesson_id"] == lesson.lesson_id
    assert data["continue_learning"]["last_position_seconds"] == 42
    assert data["stats"]["streak_days"] == 1 and data["stats"]["courses_enrolled"] == 1
    assert [c["course_id"] for c in data["courses"]] == [lesson.module.course.course_id]
    assert [a["lesson_id"] for a in data["recent_activity"]] == [lesson.lesson_id]


def test_lesson_for_player_has_steps_without_expected_code(student_client, lesson):
    from video_tutorials.models import Recording

    Recording.objects.create(title="Take", lesson=lesson, status=Recording.Status.READY, is_published=True)
    data = data_of(student_client.get(f"/api/students/experience/lessons/{lesson.lesson_id}/"))
    assert data["lesson_id"] == lesson.lesson_id and data["steps"][0]["instructions"]
    assert "expected_code" not in data["steps"][0]
    assert "Akwaaba</h1>" not in str(data)
    assert {"renditions", "snapshots_url", "video_url"} <= set(data["recording"])
    assert data["videos"] == [data["recording"]]


def test_admin_sees_expected_code(admin_client, lesson):
    data = admin_client.get(f"/api/lessons/{lesson.lesson_id}/").json()
    assert data["steps"][0]["expected_code"]


def test_progress_patch_saves_resume_position(student_client, student, lesson):
    url = f"/api/students/experience/lessons/{lesson.lesson_id}/progress/"
    response = student_client.patch(url, {"last_position_seconds": 75.5, "completed": True}, format="json")
    assert data_of(response)["completed"] is True
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
    data = data_of(api_client.get("/api/schools/get-all-schools/?search=prempeh&page=1"))
    assert len(data["schools"]) == 1 and data["schools"][0]["name"] == "Prempeh College"
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


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_a_cached_catalog_read_is_one_round_trip_and_still_sees_an_enrolment(
    settings, redis_server, student, client_for, lesson
):
    import redis

    settings.AUTH_USER_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url}}
    client = client_for(student)
    url = "/api/students/experience/catalog/"
    assert client.get(url).json()["data"]["courses"][0]["is_enrolled"] is False  # fills the cache
    probe = redis.Redis.from_url(redis_server.url)
    probe.config_resetstat()
    body = client.get(url).json()["data"]
    commands = {name: stats["calls"] for name, stats in probe.info("commandstats").items() if "config" not in name}
    assert commands == {"cmdstat_mget": 1}  # revoked mark, user, catalog version, page, enrolled ids
    assert body["courses"][0]["title"] == lesson.module.course.title

    Enrollment.objects.create(user=student, course=lesson.module.course)
    assert client.get(url).json()["data"]["courses"][0]["is_enrolled"] is True
