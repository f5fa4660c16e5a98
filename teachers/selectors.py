"""What a teacher may see: only students of their own school(s)."""

from django.db.models import Count, Max, Q, QuerySet, Sum

from students.models import Student

SORTABLE = {
    "name": ("user__last_name", "user__first_name"),
    "-name": ("-user__last_name", "-user__first_name"),
    "lessons_done": ("lessons_done", "user__last_name"),
    "-lessons_done": ("-lessons_done", "user__last_name"),
    "last_active": ("last_active", "user__last_name"),
    "-last_active": ("-last_active", "user__last_name"),
}


def students_visible_to(*, user) -> QuerySet[Student]:
    students = Student.objects.select_related("user", "school", "school_class")
    if user.is_admin:
        return students
    if user.is_teacher and hasattr(user, "teacher"):
        return students.filter(school__in=user.teacher.schools.all())
    return students.none()


def teacher_dashboard(*, user, sort: str = "name", school_id: str = "", class_id: str = "") -> dict:
    students = students_visible_to(user=user)
    if school_id:
        students = students.filter(school__school_id=school_id)
    if class_id:
        students = students.filter(school_class__class_id=class_id)
    students = students.annotate(
        lessons_done=Count("user__lesson_progress", filter=Q(user__lesson_progress__completed_at__isnull=False)),
        time_spent=Sum("user__lesson_progress__time_spent_seconds"),
        last_active=Max("user__lesson_progress__updated_at"),
    ).order_by(*SORTABLE.get(sort, SORTABLE["name"]))
    rows = [
        {
            "user_id": student.user.user_id,
            "first_name": student.user.first_name,
            "last_name": student.user.last_name,
            "school_id": student.school.school_id if student.school else None,
            "class_name": student.school_class.name if student.school_class else None,
            "level": student.level,
            "lessons_done": student.lessons_done,
            "time_spent_seconds": student.time_spent or 0,
            "last_active": student.last_active.isoformat() if student.last_active else None,
        }
        for student in students[:500]
    ]
    classes = {}
    for row in rows:
        key = row["class_name"] or "No class"
        entry = classes.setdefault(key, {"class_name": key, "students": 0, "lessons_done": 0})
        entry["students"] += 1
        entry["lessons_done"] += row["lessons_done"]
    return {"students": rows, "classes": sorted(classes.values(), key=lambda c: c["class_name"])}
