"""The publishing workflow: draft → in_review → published, archive, revert to draft; what
may be published; and the Django admin, which changes status only through the workflow."""

import pytest
from django.test import Client

from courses.models import ContentTransition, Course, Lesson, Module, PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory
from video_tutorials.models import Recording

pytestmark = pytest.mark.django_db

D, R, P, A = PublishStatus.DRAFT, PublishStatus.IN_REVIEW, PublishStatus.PUBLISHED, PublishStatus.ARCHIVED
ALLOWED = {
    (D, "submit-for-review"): R,
    (D, "archive"): A,
    (R, "publish"): P,
    (R, "archive"): A,
    (R, "revert"): D,
    (P, "archive"): A,
    (P, "revert"): D,
    (A, "revert"): D,
}
ACTIONS = ["submit-for-review", "publish", "archive", "revert"]
REFUSED = [(status, action) for status in (D, R, P, A) for action in ACTIONS if (status, action) not in ALLOWED]


def publishable_lesson(status) -> Lesson:
    return LessonStepFactory(lesson=LessonFactory(status=status)).lesson


def transition(client, kind: str, key: str, action: str):
    return client.post(f"/api/admin/content/{kind}/{key}/{action}/", {"notes": "n"}, format="json")


@pytest.mark.parametrize("start, action", list(ALLOWED), ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_allowed_transition_moves_the_status_and_is_logged(admin_client, admin_user, start, action):
    lesson = publishable_lesson(start)

    response = transition(admin_client, "lessons", lesson.lesson_id, action)

    assert response.status_code == 200, response.content
    assert response.json()["data"]["status"] == ALLOWED[(start, action)]
    log = ContentTransition.objects.get()
    assert (log.from_status, log.to_status, log.performed_by) == (start, ALLOWED[(start, action)], admin_user)


@pytest.mark.parametrize("start, action", REFUSED, ids=[f"{s}-{a}" for s, a in REFUSED])
def test_refused_transition_is_a_400_and_changes_nothing(admin_client, start, action):
    lesson = publishable_lesson(start)

    response = transition(admin_client, "lessons", lesson.lesson_id, action)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    assert Lesson.objects.get(pk=lesson.pk).status == start
    assert not ContentTransition.objects.exists()


@pytest.mark.parametrize("kind", ["courses", "modules", "lessons"])
def test_publishing_straight_from_draft_is_refused_and_says_to_submit_first(admin_client, kind):
    lesson = publishable_lesson(P)
    objects = {"courses": lesson.module.course, "modules": lesson.module, "lessons": lesson}
    instance = objects[kind]
    type(instance).objects.filter(pk=instance.pk).update(status=D)
    key = getattr(instance, {"courses": "course_id", "modules": "module_id", "lessons": "lesson_id"}[kind])

    response = transition(admin_client, kind, key, "publish")

    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot publish from 'Draft': only from 'In review'."
    assert type(instance).objects.get(pk=instance.pk).status == D


def test_a_course_with_only_unpublished_lessons_cannot_be_published(admin_client):
    course = CourseFactory(status=R)
    LessonStepFactory(lesson=LessonFactory(module=ModuleFactory(course=course), status=D))

    response = transition(admin_client, "courses", course.course_id, "publish")

    assert response.status_code == 400
    assert "published module with a published lesson" in response.json()["detail"]
    assert Course.objects.get(pk=course.pk).status == R


def test_a_course_whose_published_lesson_is_in_a_draft_module_cannot_be_published(admin_client):
    course = CourseFactory(status=R)
    LessonStepFactory(lesson=LessonFactory(module=ModuleFactory(course=course, status=D)))

    assert transition(admin_client, "courses", course.course_id, "publish").status_code == 400


def test_a_course_with_a_published_lesson_in_a_published_module_is_published(admin_client):
    course = CourseFactory(status=R)
    LessonStepFactory(lesson=LessonFactory(module=ModuleFactory(course=course)))

    response = transition(admin_client, "courses", course.course_id, "publish")

    assert response.status_code == 200 and response.json()["data"]["status"] == P


def test_a_module_without_a_published_lesson_cannot_be_published(admin_client):
    module = ModuleFactory(status=R)
    LessonStepFactory(lesson=LessonFactory(module=module, status=R))

    response = transition(admin_client, "modules", module.module_id, "publish")

    assert response.status_code == 400
    assert "at least one published lesson" in response.json()["detail"]
    assert Module.objects.get(pk=module.pk).status == R


@pytest.mark.parametrize("recording_status, expected", [(Recording.Status.FAILED, 400), (Recording.Status.READY, 200)])
def test_a_lesson_with_only_a_recording_needs_it_transcoded(admin_client, recording_status, expected):
    lesson = LessonFactory(status=R)
    Recording.objects.create(title="Take", lesson=lesson, status=recording_status)

    response = transition(admin_client, "lessons", lesson.lesson_id, "publish")

    assert response.status_code == expected
    assert Lesson.objects.get(pk=lesson.pk).status == (P if expected == 200 else R)


# --- Django admin -----------------------------------------------------------------------


@pytest.fixture
def site_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "url, model",
    [("/admin/courses/course/{}/change/", Course), ("/admin/courses/module/{}/change/", Module)]
    + [("/admin/courses/lesson/{}/change/", Lesson)],
)
def test_django_admin_shows_status_read_only(site_client, url, model):
    lesson = publishable_lesson(R)
    instance = {Course: lesson.module.course, Module: lesson.module, Lesson: lesson}[model]

    response = site_client.get(url.format(instance.pk))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "status" not in form.fields and "published_at" not in form.fields
    assert "status" in response.context["adminform"].readonly_fields


def test_django_admin_edit_cannot_change_status(site_client):
    course = CourseFactory(status=D, title="Web basics")
    response = site_client.post(
        f"/admin/courses/course/{course.pk}/change/",
        {
            "title": "Web basics 2",
            "level": "B8",
            "tags": '["html"]',
            "estimated_duration_minutes": 0,
            "status": "published",
            "modules-TOTAL_FORMS": 0,
            "modules-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content[:2000]
    course.refresh_from_db()
    assert (course.title, course.status) == ("Web basics 2", D)


def test_django_admin_action_publishes_through_the_workflow_and_logs_it(site_client, admin_user):
    ready, draft = publishable_lesson(R), publishable_lesson(D)

    response = site_client.post(
        "/admin/courses/lesson/",
        {"action": "transition_publish", "_selected_action": [ready.pk, draft.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert Lesson.objects.get(pk=ready.pk).status == P
    assert Lesson.objects.get(pk=draft.pk).status == D  # refused: not in review
    shown = [str(message) for message in response.context["messages"]]
    assert any("only from 'In review'" in message for message in shown)
    log = ContentTransition.objects.get()
    assert (log.object_id, log.to_status, log.performed_by) == (ready.pk, P, admin_user)
