"""List and detail endpoints run the same number of queries for 5 rows as for 50.

Each case grows its rows from 5 to 50 and compares the query counts of the same
request, so a new N+1 anywhere in these paths fails here.
"""

import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import ContentTransition, Enrollment, LessonProgress, PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory
from llm_tutor.models import TutorExchange
from projects.services import project_create, project_file_create
from video_tutorials.models import Recording

pytestmark = pytest.mark.django_db
counter = itertools.count()


def grow_projects(world, n):
    for _ in range(n):
        project_create(owner=world["student"], name=f"Page {next(counter)}")


def grow_project_files(world, n):
    for _ in range(n):
        project_file_create(project=world["project"], name=f"part{next(counter)}.css", content="p {}")


def grow_catalog(world, n):
    for _ in range(n):
        LessonStepFactory(lesson=LessonFactory(module=ModuleFactory(course=CourseFactory())))


def grow_course_lessons(world, n):
    for _ in range(n):
        LessonStepFactory(lesson=LessonFactory(module=world["module"]))


def grow_enrolments_with_progress(world, n):
    for _ in range(n):
        lesson = LessonStepFactory(lesson=LessonFactory(module=ModuleFactory(course=CourseFactory()))).lesson
        Enrollment.objects.create(user=world["student"], course=lesson.module.course)
        LessonProgress.objects.create(
            user=world["student"], lesson=lesson, completed_at=timezone.now(), time_spent_seconds=60
        )


def grow_recordings(world, n):
    for _ in range(n):
        Recording.objects.create(
            title=f"Take {next(counter)}", lesson=world["lesson"], status=Recording.Status.READY, is_published=True
        )


def grow_lesson_steps_and_recordings(world, n):
    for _ in range(n):
        LessonStepFactory(lesson=world["lesson"])
        Recording.objects.create(
            title=f"Take {next(counter)}", lesson=world["lesson"], status=Recording.Status.READY, is_published=True
        )


def grow_course_lessons_with_recordings(world, n):
    for _ in range(n):
        lesson = LessonStepFactory(lesson=LessonFactory(module=world["module"])).lesson
        Recording.objects.create(title=f"Take {next(counter)}", lesson=lesson, status=Recording.Status.READY)


def grow_audit_log(world, n):
    for _ in range(n):
        ContentTransition.objects.create(
            course=world["course"],
            content_object=world["course"],
            content_object_repr=str(world["course"]),
            from_status=PublishStatus.DRAFT,
            to_status=PublishStatus.IN_REVIEW,
            performed_by=world["admin"],
            notes="Ready",
        )


def grow_tutor_history(world, n):
    for _ in range(n):
        TutorExchange.objects.create(
            student=world["student"],
            lesson=world["lesson"],
            step_number=1,
            kind="ask",
            reply="Try a tag.",
            source="offline",
        )


CASES = [
    ("student", "/api/projects/", grow_projects),
    ("student", "/api/project_files/by_project/?project={project_id}", grow_project_files),
    ("student", "/api/courses/", grow_catalog),
    ("student", "/api/students/experience/catalog/?page_size=100", grow_catalog),
    ("student", "/api/courses/{course_id}/", grow_course_lessons),
    ("student", "/api/students/experience/catalog/{course_id}/", grow_course_lessons),
    ("student", "/api/students/experience/dashboard/", grow_enrolments_with_progress),
    ("student", "/api/lessons/{lesson_id}/", grow_lesson_steps_and_recordings),
    ("student", "/api/students/experience/lessons/{lesson_id}/", grow_lesson_steps_and_recordings),
    ("admin", "/api/lessons/{lesson_id}/", grow_lesson_steps_and_recordings),
    ("student", "/api/recordings/?page_size=100", grow_recordings),
    ("student", "/api/tutor/history/?page_size=100", grow_tutor_history),
    ("admin", "/api/admin/content/courses/{course_id}/audit-log/", grow_audit_log),
    ("admin", "/api/admin/content/courses/?page_size=100", grow_catalog),
    ("admin", "/api/admin/content/courses/{course_id}/", grow_course_lessons_with_recordings),
    ("admin", "/api/admin/content/lessons/{lesson_id}/", grow_lesson_steps_and_recordings),
]


@pytest.fixture
def world(make_user):
    lesson = LessonStepFactory(step_number=1).lesson
    student = make_user("student")
    return {
        "student": student,
        "admin": make_user("admin"),
        "lesson": lesson,
        "module": lesson.module,
        "course": lesson.module.course,
        "project": project_create(owner=student, name="Mine"),
    }


@pytest.mark.parametrize("actor, url, grow", CASES, ids=[f"{case[1]}" for case in CASES])
def test_query_count_is_the_same_for_5_and_50_rows(world, client_for, actor, url, grow):
    client = client_for(world[actor])
    url = url.format(
        project_id=world["project"].project_id,
        course_id=world["course"].course_id,
        lesson_id=world["lesson"].lesson_id,
    )

    def queries() -> tuple[int, int]:
        # Both measured cold: a per-student cache (enrolled course ids) warmed by the first
        # request must not pass for a query saved per row.
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return len(captured), len(response.content)

    grow(world, 5)
    at_5, size_at_5 = queries()
    grow(world, 45)
    at_50, size_at_50 = queries()

    assert size_at_50 > size_at_5 * 3, "the second answer must show the new rows (not a cached page)"
    assert at_50 == at_5, f"{url}: {at_5} queries for 5 rows, {at_50} for 50"
