"""What a teacher may see: only students of their own school(s), with their progress."""

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from courses.models import Enrollment, Lesson, LessonProgress, PublishStatus
from students.models import Student

SORTABLE = {
    "name": ("user__last_name", "user__first_name", "id"),
    "-name": ("-user__last_name", "-user__first_name", "-id"),
    "lessons_done": ("lessons_done", "user__last_name", "id"),
    "-lessons_done": ("-lessons_done", "user__last_name", "id"),
    "last_active": ("last_active", "user__last_name", "id"),
    "-last_active": ("-last_active", "user__last_name", "id"),
}


def students_visible_to(*, user) -> QuerySet[Student]:
    students = Student.objects.select_related("user", "school", "school_class")
    if user.is_admin:
        return students
    if user.is_teacher and hasattr(user, "teacher"):
        return students.filter(school__in=user.teacher.schools.all())
    return students.none()


def dashboard_students(*, user, sort: str = "name", school_id: str = "", class_id: str = "", course_id: str = ""):
    """The students a teacher's dashboard lists, filtered, annotated and sorted (one
    query per page). With ``course_id``, only that course's learners and lessons count."""
    students = students_visible_to(user=user)
    if school_id:
        students = students.filter(school__school_id=school_id)
    if class_id:
        students = students.filter(school_class__class_id=class_id)
    done = Q(user__lesson_progress__completed_at__isnull=False)
    in_course = Q()
    if course_id:
        students = students.filter(user__enrollments__course__course_id=course_id)
        in_course = Q(user__lesson_progress__lesson__module__course__course_id=course_id)
    return students.annotate(
        lessons_done=Count("user__lesson_progress", filter=done & in_course, distinct=True),
        time_spent=Sum("user__lesson_progress__time_spent_seconds", filter=in_course),
        last_active=Max("user__lesson_progress__updated_at", filter=in_course),
    ).order_by(*SORTABLE.get(sort, SORTABLE["name"]))


def _published_lessons_per_course(course_pks) -> dict[int, int]:
    return dict(
        Lesson.objects.filter(module__course_id__in=course_pks, status=PublishStatus.PUBLISHED)
        .values_list("module__course_id")
        .annotate(n=Count("id"))
        .values_list("module__course_id", "n")
    )


def _percent(done: int, total: int) -> int:
    return min(100, round(100 * done / total)) if total else 0


def dashboard_rows(students: list[Student]) -> list[dict]:
    """One row per student of a page, with progress per enrolled course (3 queries)."""
    user_pks = [student.user_id for student in students]
    enrollments = list(
        Enrollment.objects.filter(user_id__in=user_pks).select_related("course").order_by("enrolled_at", "id")
    )
    totals = _published_lessons_per_course({e.course_id for e in enrollments})
    done = {
        (user_pk, course_pk): n
        for user_pk, course_pk, n in LessonProgress.objects.filter(
            user_id__in=user_pks, completed_at__isnull=False, lesson__status=PublishStatus.PUBLISHED
        )
        .values_list("user_id", "lesson__module__course_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "lesson__module__course_id", "n")
    }
    courses_of: dict[int, list[dict]] = {pk: [] for pk in user_pks}
    for enrollment in enrollments:
        lessons_done = done.get((enrollment.user_id, enrollment.course_id), 0)
        lessons_total = totals.get(enrollment.course_id, 0)
        courses_of[enrollment.user_id].append(
            {
                "course_id": enrollment.course.course_id,
                "title": enrollment.course.title,
                "lessons_done": lessons_done,
                "lessons_total": lessons_total,
                "percent": _percent(lessons_done, lessons_total),
            }
        )
    return [
        {
            "user_id": student.user.user_id,
            "first_name": student.user.first_name,
            "last_name": student.user.last_name,
            "school_id": student.school.school_id if student.school else None,
            "class_id": student.school_class.class_id if student.school_class else None,
            "class_name": student.school_class.name if student.school_class else None,
            "level": student.level,
            "lessons_done": student.lessons_done,
            "time_spent_seconds": student.time_spent or 0,
            "last_active": student.last_active.isoformat() if student.last_active else None,
            "courses": courses_of[student.user_id],
        }
        for student in students
    ]


def dashboard_summary(students: QuerySet[Student]) -> dict:
    """Per class and per course totals over every listed student, not just one page."""
    student_pks = students.order_by().values("pk")
    per_class = (
        Student.objects.filter(pk__in=student_pks)
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
        {
            "class_id": row["school_class__class_id"],
            "class_name": row["school_class__name"] or "No class",
            "students": row["students"],
            "lessons_done": row["lessons_done"],
        }
        for row in per_class
    ]
    learners = Enrollment.objects.filter(user__student__in=student_pks)
    per_course = list(
        learners.values("course_id", "course__course_id", "course__title")
        .annotate(enrolled=Count("id"))
        .order_by("course__title")
    )
    totals = _published_lessons_per_course([row["course_id"] for row in per_course])
    done = dict(
        LessonProgress.objects.filter(
            user__student__in=student_pks,
            completed_at__isnull=False,
            lesson__status=PublishStatus.PUBLISHED,
            user__enrollments__course=F("lesson__module__course"),  # enrolled learners only
        )
        .values_list("lesson__module__course_id")
        .annotate(n=Count("id"))
        .values_list("lesson__module__course_id", "n")
    )
    courses = [
        {
            "course_id": row["course__course_id"],
            "title": row["course__title"],
            "enrolled": row["enrolled"],
            "lessons_total": totals.get(row["course_id"], 0),
            "average_percent": _percent(
                done.get(row["course_id"], 0), row["enrolled"] * totals.get(row["course_id"], 0)
            ),
        }
        for row in per_course
    ]
    return {"classes": classes, "courses": courses}
