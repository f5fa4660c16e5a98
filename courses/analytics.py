"""Platform numbers for the admin app's dashboard, computed from the real rows."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User

from .models import ContentTransition, Course, Enrollment, Lesson, LessonProgress, PublishStatus


def admin_summary(*, days: int = 30) -> dict:
    since = timezone.now() - timedelta(days=days)
    # Learners only: rows left by staff previewing the student app are not learning.
    enrollments = Enrollment.objects.filter(user__role=User.Role.STUDENT)
    progress = LessonProgress.objects.filter(user__role=User.Role.STUDENT)
    enrolments = dict(
        enrollments.filter(enrolled_at__gte=since)
        .annotate(day=TruncDate("enrolled_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    completions = dict(
        progress.filter(completed_at__gte=since)
        .annotate(day=TruncDate("completed_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    today = timezone.localdate()
    timeseries = [
        {
            "date": day.isoformat(),
            "enrollments": enrolments.get(day, 0),
            "completions": completions.get(day, 0),
        }
        for day in (today - timedelta(days=offset) for offset in range(days - 1, -1, -1))
    ]
    users_by_role = dict(User.objects.values_list("role").annotate(n=Count("id")).values_list("role", "n"))
    stats = {
        "students": users_by_role.get(User.Role.STUDENT, 0),
        "teachers": users_by_role.get(User.Role.TEACHER, 0),
        "admins": users_by_role.get(User.Role.ADMIN, 0),
        "courses": Course.objects.count(),
        "published_courses": Course.objects.filter(status=PublishStatus.PUBLISHED).count(),
        "lessons": Lesson.objects.count(),
        "enrollments": enrollments.count(),
        "lessons_completed": progress.filter(completed_at__isnull=False).count(),
        "active_students_7d": progress.filter(updated_at__gte=timezone.now() - timedelta(days=7))
        .values("user")
        .distinct()
        .count(),
    }
    recent = [
        {
            "event_type": f"content_{transition.to_status}",
            "description": f"{transition.content_object_repr}: {transition.from_status} → {transition.to_status}",
            "actor": transition.performed_by.full_name if transition.performed_by else None,
            "occurred_at": transition.created_at.isoformat(),
            "metadata": {"notes": transition.notes, "course_id": transition.course.course_id},
        }
        for transition in ContentTransition.objects.select_related("performed_by", "course")[:10]
    ]
    recent += [
        {
            "event_type": "enrollment",
            "description": f"A student enrolled in {enrollment.course.title}",
            "actor": None,
            "occurred_at": enrollment.enrolled_at.isoformat(),
            "metadata": {"course_id": enrollment.course.course_id},
        }
        for enrollment in enrollments.select_related("course").order_by("-enrolled_at")[:10]
    ]
    recent.sort(key=lambda event: event["occurred_at"], reverse=True)
    return {"stats": stats, "timeseries": timeseries, "announcements": [], "recent_activity": recent[:15]}
