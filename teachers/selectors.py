"""Reads for teachers (only their own schools' students, with progress) and for admins (teacher accounts)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

from accounts.models import User
from courses.models import Enrollment, LessonProgress
from courses.selectors import OPEN_LESSON_STATUS_FIELDS, is_open_to_students, open_lessons_per_course
from schools.models import School, SchoolClass
from students.models import Student

from .models import Teacher

SORTABLE = {
    "name": ("user__last_name", "user__first_name", "id"),
    "-name": ("-user__last_name", "-user__first_name", "-id"),
    "lessons_done": ("lessons_done", "user__last_name", "id"),
    "-lessons_done": ("-lessons_done", "user__last_name", "id"),
    "last_active": ("last_active", "user__last_name", "id"),
    "-last_active": ("-last_active", "user__last_name", "id"),
}


def students_visible_to(*, user) -> QuerySet[Student]:
    """Student accounts only: profiles left by staff previewing the student app are not learners."""
    students = Student.objects.filter(user__role=User.Role.STUDENT).select_related("user", "school", "school_class")
    if user.is_admin:
        return students
    if user.is_teacher and hasattr(user, "teacher"):
        return students.filter(school__in=user.teacher.schools.all())
    return students.none()


def _filtered_students(*, user, school_id: str = "", class_id: str = "", course_id: str = "") -> QuerySet[Student]:
    students = students_visible_to(user=user)
    if school_id:
        students = students.filter(school__school_id=school_id)
    if class_id:
        students = students.filter(school_class__class_id=class_id)
    if course_id:
        students = students.filter(user__enrollments__course__course_id=course_id)
    return students


def dashboard_students(*, user, sort: str = "name", school_id: str = "", class_id: str = "", course_id: str = ""):
    """The students a teacher's dashboard lists, filtered, annotated and sorted (one
    query per page). With ``course_id``, only that course's learners and lessons count."""
    students = _filtered_students(user=user, school_id=school_id, class_id=class_id, course_id=course_id)
    done = Q(user__lesson_progress__completed_at__isnull=False)
    in_course = Q(user__lesson_progress__lesson__module__course__course_id=course_id) if course_id else Q()
    return students.annotate(
        lessons_done=Count("user__lesson_progress", filter=done & in_course, distinct=True),
        time_spent=Sum("user__lesson_progress__time_spent_seconds", filter=in_course),
        last_active=Max("user__lesson_progress__updated_at", filter=in_course),
    ).order_by(*SORTABLE.get(sort, SORTABLE["name"]))


def _completed_per_learner_and_course(user_pks) -> list[tuple[int, int, int]]:
    """(user pk, course pk, completed lessons that students can open). The statuses are
    grouped on, not filtered in SQL: a filter on them let SQLite (without statistics) drive
    the query from every published lesson instead of from the learners' progress, 70x
    slower for a school."""
    status_fields = [f"lesson__{name}" for name in OPEN_LESSON_STATUS_FIELDS]
    rows = (
        LessonProgress.objects.filter(user_id__in=user_pks, completed_at__isnull=False)
        .values_list("user_id", "lesson__module__course_id", *status_fields)
        .annotate(n=Count("id"))
        .values_list("user_id", "lesson__module__course_id", *status_fields, "n")
        .order_by()
    )
    return [(user_pk, course_pk, n) for user_pk, course_pk, *statuses, n in rows if is_open_to_students(*statuses)]


def _percent(done: int, total: int) -> int:
    return min(100, round(100 * done / total)) if total else 0


@dataclass(frozen=True)
class CourseProgress:
    course_id: str
    title: str
    lessons_done: int
    lessons_total: int
    percent: int


@dataclass(frozen=True)
class StudentProgress:
    """A row of the teacher dashboard: one student, with progress per enrolled course."""

    user_id: str
    first_name: str
    last_name: str
    school_id: str | None
    class_id: str | None
    class_name: str | None
    level: str
    lessons_done: int
    time_spent_seconds: int
    last_active: datetime | None
    courses: list[CourseProgress]


def dashboard_rows(students: list[Student]) -> list[StudentProgress]:
    """One row per student of a page, with progress per enrolled course (3 queries)."""
    user_pks = [student.user_id for student in students]
    enrollments = list(
        Enrollment.objects.filter(user_id__in=user_pks).select_related("course").order_by("enrolled_at", "id")
    )
    totals = open_lessons_per_course({e.course_id for e in enrollments})
    done = {(user_pk, course_pk): n for user_pk, course_pk, n in _completed_per_learner_and_course(user_pks)}
    courses_of: dict[int, list[CourseProgress]] = {pk: [] for pk in user_pks}
    for enrollment in enrollments:
        lessons_done = done.get((enrollment.user_id, enrollment.course_id), 0)
        lessons_total = totals.get(enrollment.course_id, 0)
        courses_of[enrollment.user_id].append(
            CourseProgress(
                course_id=enrollment.course.course_id,
                title=enrollment.course.title,
                lessons_done=lessons_done,
                lessons_total=lessons_total,
                percent=_percent(lessons_done, lessons_total),
            )
        )
    return [
        StudentProgress(
            user_id=student.user.user_id,
            first_name=student.user.first_name,
            last_name=student.user.last_name,
            school_id=student.school.school_id if student.school else None,
            class_id=student.school_class.class_id if student.school_class else None,
            class_name=student.school_class.name if student.school_class else None,
            level=student.level,
            lessons_done=student.lessons_done,
            time_spent_seconds=student.time_spent or 0,
            last_active=student.last_active,
            courses=courses_of[student.user_id],
        )
        for student in students
    ]


@dataclass(frozen=True)
class ClassTotals:
    class_id: str | None
    class_name: str
    students: int
    lessons_done: int


@dataclass(frozen=True)
class CourseTotals:
    course_id: str
    title: str
    enrolled: int
    lessons_total: int
    average_percent: int


@dataclass(frozen=True)
class DashboardSummary:
    classes: list[ClassTotals]
    courses: list[CourseTotals]


def dashboard_summary(*, user, school_id: str = "", class_id: str = "", course_id: str = "") -> DashboardSummary:
    """Per class and per course totals over every listed student, not just one page (4 queries)."""
    students = _filtered_students(user=user, school_id=school_id, class_id=class_id, course_id=course_id)
    per_class = (
        students.order_by()
        .values("school_class__class_id", "school_class__name")
        .annotate(
            students=Count("id", distinct=True),
            lessons_done=Count(
                "user__lesson_progress", filter=Q(user__lesson_progress__completed_at__isnull=False), distinct=True
            ),
        )
        .order_by("school_class__name")
    )
    classes = [
        ClassTotals(
            class_id=row["school_class__class_id"],
            class_name=row["school_class__name"] or "No class",
            students=row["students"],
            lessons_done=row["lessons_done"],
        )
        for row in per_class
    ]
    # Joined in Python: the (learner, course) pairs are few, and a SQL join of progress
    # to enrolments over a whole school took seconds on SQLite.
    user_pks = students.order_by().values("user_id")
    courses: dict[int, dict] = {}
    enrolled_pairs = set()
    for user_pk, course_pk, public_id, title in Enrollment.objects.filter(user_id__in=user_pks).values_list(
        "user_id", "course_id", "course__course_id", "course__title"
    ):
        enrolled_pairs.add((user_pk, course_pk))
        course = courses.setdefault(course_pk, {"course_id": public_id, "title": title, "enrolled": 0, "done": 0})
        course["enrolled"] += 1
    for user_pk, course_pk, n in _completed_per_learner_and_course(user_pks):
        if (user_pk, course_pk) in enrolled_pairs:  # lessons of courses the learner is enrolled in
            courses[course_pk]["done"] += n
    totals = open_lessons_per_course(list(courses))
    return DashboardSummary(
        classes=classes,
        courses=sorted(
            (
                CourseTotals(
                    course_id=course["course_id"],
                    title=course["title"],
                    enrolled=course["enrolled"],
                    lessons_total=totals.get(course_pk, 0),
                    average_percent=_percent(course["done"], course["enrolled"] * totals.get(course_pk, 0)),
                )
                for course_pk, course in courses.items()
            ),
            key=lambda course: (course.title, course.course_id),
        ),
    )


def teachers_for_admin() -> QuerySet[Teacher]:
    """Teacher accounts with their schools and classes, in three queries per page."""
    return (
        Teacher.objects.filter(user__role=User.Role.TEACHER)
        .select_related("user")
        .prefetch_related(
            Prefetch("schools", queryset=School.objects.order_by("name")),
            Prefetch("classes", queryset=SchoolClass.objects.select_related("school").order_by("level", "name")),
        )
        .order_by("user__last_name", "user__first_name", "id")
    )
