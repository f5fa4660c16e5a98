"""Reads for a student's own dashboard, and the student accounts admins manage."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from courses.models import Enrollment, LearningDay, LessonProgress, PublishStatus
from courses.selectors import open_lesson_filter, open_lessons_per_course

from .models import Student


def learning_streak_days(*, user) -> int:
    """Consecutive days, ending today or yesterday, on which the student saved progress."""
    today = timezone.localdate()
    days = list(LearningDay.objects.filter(user=user, date__lte=today).values_list("date", flat=True))  # newest first
    start = today if days and days[0] == today else today - timedelta(days=1)
    streak = 0
    for day in days:
        if day != start - timedelta(days=streak):
            break
        streak += 1
    return streak


# Where the student can still go: the lesson, its module and its course all published.
OPENABLE_LESSON = open_lesson_filter("lesson__")


@dataclass(frozen=True)
class ContinueLearning:
    """The open lesson the student last worked on and has not finished."""

    lesson_id: str
    lesson_title: str
    course_id: str
    course_title: str
    last_position_seconds: float
    updated_at: datetime


@dataclass(frozen=True)
class DashboardStats:
    lessons_done: int
    time_spent_seconds: int
    streak_days: int
    courses_enrolled: int


@dataclass(frozen=True)
class CourseSummary:
    """A published course the student is enrolled in, with the open lessons done of all."""

    course_id: str
    title: str
    lessons_total: int
    lessons_done: int
    enrolled_at: datetime


@dataclass(frozen=True)
class RecentActivity:
    lesson_id: str
    lesson_title: str
    completed: bool
    updated_at: datetime


@dataclass(frozen=True)
class StudentDashboard:
    continue_learning: ContinueLearning | None
    stats: DashboardStats
    courses: list[CourseSummary]
    recent_activity: list[RecentActivity]


def student_dashboard(*, user) -> StudentDashboard:
    progress = LessonProgress.objects.filter(user=user)
    totals = progress.aggregate(
        lessons_done=Count("id", filter=Q(completed_at__isnull=False)),
        time_spent=Sum("time_spent_seconds"),
    )
    latest = (
        progress.filter(OPENABLE_LESSON, completed_at__isnull=True)
        .select_related("lesson__module__course")
        .order_by("-updated_at")
        .first()
    )
    continue_learning = None
    if latest:
        lesson = latest.lesson
        continue_learning = ContinueLearning(
            lesson_id=lesson.lesson_id,
            lesson_title=lesson.title,
            course_id=lesson.module.course.course_id,
            course_title=lesson.module.course.title,
            last_position_seconds=latest.last_position_seconds,
            updated_at=latest.updated_at,
        )
    enrollments = list(
        Enrollment.objects.filter(user=user, course__status=PublishStatus.PUBLISHED)
        .select_related("course")
        .order_by("-enrolled_at")
    )
    course_ids = [enrollment.course_id for enrollment in enrollments]
    lessons_per_course = open_lessons_per_course(course_ids)
    done_per_course = dict(
        progress.filter(
            open_lesson_filter("lesson__"), completed_at__isnull=False, lesson__module__course_id__in=course_ids
        )
        .values_list("lesson__module__course_id")
        .annotate(n=Count("id"))
        .values_list("lesson__module__course_id", "n")
    )
    courses = [
        CourseSummary(
            course_id=enrollment.course.course_id,
            title=enrollment.course.title,
            lessons_total=lessons_per_course.get(enrollment.course_id, 0),
            lessons_done=done_per_course.get(enrollment.course_id, 0),
            enrolled_at=enrollment.enrolled_at,
        )
        for enrollment in enrollments
    ]
    recent = [
        RecentActivity(
            lesson_id=item.lesson.lesson_id,
            lesson_title=item.lesson.title,
            completed=item.completed_at is not None,
            updated_at=item.updated_at,
        )
        for item in progress.filter(OPENABLE_LESSON).select_related("lesson").order_by("-updated_at")[:5]
    ]
    return StudentDashboard(
        continue_learning=continue_learning,
        stats=DashboardStats(
            lessons_done=totals["lessons_done"] or 0,
            time_spent_seconds=totals["time_spent"] or 0,
            streak_days=learning_streak_days(user=user),
            courses_enrolled=len(enrollments),
        ),
        courses=courses,
        recent_activity=recent,
    )


def students_for_admin() -> QuerySet[Student]:
    """Student accounts (not the preview profiles of teachers and admins), one query per page."""
    return (
        Student.objects.filter(user__role=User.Role.STUDENT)
        .select_related("user", "school", "school_class")
        .order_by("user__last_name", "user__first_name", "id")
    )
