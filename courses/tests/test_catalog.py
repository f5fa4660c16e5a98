"""The catalog's level filter, and leaving a course."""

import pytest

from courses.models import Enrollment
from courses.tests.factories import CourseFactory, LessonStepFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/courses/?level={}", "/api/students/experience/catalog/?level={}"])
def test_level_filter_lists_only_that_level(student_client, url):
    b7 = CourseFactory(level="B7")
    CourseFactory(level="B8")

    body = student_client.get(url.format("B7")).json()

    courses = body["results"] if "results" in body else body["data"]["courses"]
    assert [course["course_id"] for course in courses] == [b7.course_id]


@pytest.mark.parametrize("url", ["/api/courses/?level={}", "/api/students/experience/catalog/?level={}"])
@pytest.mark.parametrize("level", ["P6", "b7", ""])
def test_unknown_or_empty_level_is_a_400_naming_the_parameter(student_client, url, level):
    CourseFactory(level="B7")

    response = student_client.get(url.format(level))

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "errors"} and set(response.json()["errors"]) == {"level"}


def test_unenrolling_deletes_the_enrolment_row(student_client, student):
    course = LessonStepFactory().lesson.module.course
    other = LessonStepFactory().lesson.module.course
    for enrolled in (course, other):
        assert student_client.post(f"/api/courses/{enrolled.course_id}/enrollment/").status_code == 201

    response = student_client.delete(f"/api/courses/{course.course_id}/enrollment/")

    assert response.status_code == 204
    assert list(Enrollment.objects.filter(user=student).values_list("course_id", flat=True)) == [other.pk]
    assert student_client.get(f"/api/courses/{course.course_id}/").json()["is_enrolled"] is False


def test_the_catalogs_enrolled_flags_follow_enrolling_and_leaving_at_once(student_client, student):
    # The flags are cached per student (courses/catalog_cache.py); every change drops them.
    course = LessonStepFactory().lesson.module.course
    catalog = "/api/students/experience/catalog/"

    def flag() -> bool:
        courses = student_client.get(catalog).json()["data"]["courses"]
        return next(c["is_enrolled"] for c in courses if c["course_id"] == course.course_id)

    assert flag() is False
    assert student_client.post(f"/api/courses/{course.course_id}/enrollment/").status_code == 201
    assert flag() is True
    assert student_client.delete(f"/api/courses/{course.course_id}/enrollment/").status_code == 204
    assert flag() is False
    Enrollment.objects.create(user=student, course=course)  # e.g. by an admin
    assert flag() is True
