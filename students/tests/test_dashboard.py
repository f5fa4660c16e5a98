"""The student dashboard: a streak of real days, and only courses and lessons the student can open."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from courses.models import Enrollment, LearningDay, PublishStatus
from courses.services import lesson_progress_update
from courses.tests.factories import LessonStepFactory
from students.selectors import student_dashboard

pytestmark = pytest.mark.django_db


def save_progress_days_ago(*, user, lesson, days: int, position: float = 10) -> None:
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=days)):
        lesson_progress_update(user=user, lesson=lesson, last_position_seconds=position)


@pytest.fixture
def lesson():
    return LessonStepFactory().lesson


def test_working_on_the_same_lesson_three_days_running_is_a_three_day_streak(student, lesson):
    for days_ago in (2, 1, 0):
        save_progress_days_ago(user=student, lesson=lesson, days=days_ago)

    assert student_dashboard(user=student).stats.streak_days == 3


def test_a_streak_ending_yesterday_still_counts_and_a_gap_ends_it(student, lesson):
    for days_ago in (5, 2, 1):
        save_progress_days_ago(user=student, lesson=lesson, days=days_ago)

    assert student_dashboard(user=student).stats.streak_days == 2


def test_a_streak_is_zero_after_a_missed_day(student, lesson):
    save_progress_days_ago(user=student, lesson=lesson, days=2)

    assert student_dashboard(user=student).stats.streak_days == 0


def test_saving_progress_many_times_a_day_keeps_one_day_row(student, lesson):
    for position in (1, 2, 3):
        lesson_progress_update(user=student, lesson=lesson, last_position_seconds=position)

    assert list(LearningDay.objects.filter(user=student).values_list("date", flat=True)) == [timezone.localdate()]


@pytest.mark.parametrize("unpublished", ["lesson", "module", "course"])
def test_continue_learning_skips_a_lesson_the_student_can_no_longer_open(student, unpublished):
    older, newer = LessonStepFactory().lesson, LessonStepFactory().lesson
    save_progress_days_ago(user=student, lesson=older, days=1)
    save_progress_days_ago(user=student, lesson=newer, days=0)
    hidden = {"lesson": newer, "module": newer.module, "course": newer.module.course}[unpublished]
    hidden.status = PublishStatus.ARCHIVED
    hidden.save()

    dashboard = student_dashboard(user=student)

    assert dashboard.continue_learning.lesson_id == older.lesson_id
    assert [item.lesson_id for item in dashboard.recent_activity] == [older.lesson_id]


@pytest.mark.parametrize("status", [PublishStatus.ARCHIVED, PublishStatus.DRAFT])
def test_enrolled_courses_leave_out_archived_and_unpublished_courses(student, status):
    shown, hidden = LessonStepFactory().lesson.module.course, LessonStepFactory().lesson.module.course
    for course in (shown, hidden):
        Enrollment.objects.create(user=student, course=course)
    hidden.status = status
    hidden.save()

    dashboard = student_dashboard(user=student)

    assert [course.course_id for course in dashboard.courses] == [shown.course_id]
    assert dashboard.stats.courses_enrolled == 1


@pytest.mark.parametrize("status", [PublishStatus.DRAFT, PublishStatus.IN_REVIEW, PublishStatus.ARCHIVED])
def test_course_totals_count_only_lessons_the_student_can_open(student, status):
    """A published lesson inside a module that is not published counts neither as a lesson
    to do nor as one done, exactly as the lesson player hides it."""
    open_lesson = LessonStepFactory().lesson
    course = open_lesson.module.course
    hidden_lesson = LessonStepFactory(lesson__module__course=course, lesson__module__status=status).lesson
    Enrollment.objects.create(user=student, course=course)
    for lesson in (open_lesson, hidden_lesson):
        lesson_progress_update(user=student, lesson=lesson, last_position_seconds=5, completed=True)

    (summary,) = student_dashboard(user=student).courses

    assert (summary.lessons_done, summary.lessons_total) == (1, 1)
