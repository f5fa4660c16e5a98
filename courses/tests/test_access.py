"""access_course / access_lesson: the one rule for loading content by its URL key."""

import pytest
from django.http import Http404

from courses.models import PublishStatus
from courses.selectors import access_course, access_lesson

from .factories import LessonFactory

pytestmark = pytest.mark.django_db


def test_a_student_opens_a_published_lesson_by_its_public_id(make_user):
    lesson = LessonFactory()
    assert access_lesson(make_user("student"), lesson.lesson_id) == lesson
    assert access_course(make_user("student"), lesson.module.course.course_id) == lesson.module.course


@pytest.mark.parametrize("unpublished", ["lesson", "module", "course"])
def test_a_student_gets_404_for_a_lesson_anything_above_which_is_a_draft(make_user, unpublished):
    lesson = LessonFactory()
    content = {"lesson": lesson, "module": lesson.module, "course": lesson.module.course}[unpublished]
    content.status = PublishStatus.DRAFT
    content.save()
    with pytest.raises(Http404):
        access_lesson(make_user("student"), lesson.lesson_id)
    assert access_lesson(make_user("admin"), lesson.lesson_id) == lesson


def test_only_admins_may_name_content_by_its_numeric_id(make_user):
    lesson = LessonFactory()
    with pytest.raises(Http404):
        access_lesson(make_user("student"), str(lesson.pk))
    with pytest.raises(Http404):
        access_course(make_user("student"), str(lesson.module.course.pk))
    assert access_lesson(make_user("admin"), str(lesson.pk)) == lesson
    assert access_course(make_user("admin"), str(lesson.module.course.pk)) == lesson.module.course
