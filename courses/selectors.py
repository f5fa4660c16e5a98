"""Reads of the learning content, shaped once so views never cause N+1 queries.

Non-admins only ever see published courses, modules and lessons: their querysets
simply never contain anything else.
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Course, Enrollment, Lesson, LessonProgress, LessonStep, Module, PublishStatus


def can_see_drafts(user) -> bool:
    return bool(user and user.is_authenticated and user.is_admin)


def visible_courses(*, user) -> QuerySet[Course]:
    courses = Course.objects.all()
    if not can_see_drafts(user):
        courses = courses.filter(status=PublishStatus.PUBLISHED)
    return courses


def open_lesson_filter(prefix: str = "") -> Q:
    """Lessons a student can open: the lesson, its module and its course all published.
    ``prefix`` reaches the lesson from another model (``"lesson__"``)."""
    published = PublishStatus.PUBLISHED
    return Q(
        **{
            f"{prefix}status": published,
            f"{prefix}module__status": published,
            f"{prefix}module__course__status": published,
        }
    )


OPEN_LESSON_STATUS_FIELDS = ("status", "module__status", "module__course__status")


def is_open_to_students(*statuses: str) -> bool:
    """The same rule in Python, for rows grouped on ``OPEN_LESSON_STATUS_FIELDS``."""
    return all(status == PublishStatus.PUBLISHED for status in statuses)


def open_lessons_per_course(course_pks) -> dict[int, int]:
    """Course pk → how many of its lessons students can open (one query)."""
    return dict(
        Lesson.objects.filter(open_lesson_filter(), module__course_id__in=course_pks)
        .values_list("module__course_id")
        .annotate(n=Count("id"))
        .values_list("module__course_id", "n")
    )


def lesson_is_open_to_students(*, lesson_id: int | None) -> bool:
    return lesson_id is not None and Lesson.objects.filter(open_lesson_filter(), pk=lesson_id).exists()


def visible_lessons(*, user) -> QuerySet[Lesson]:
    lessons = Lesson.objects.select_related("module__course")
    if not can_see_drafts(user):
        lessons = lessons.filter(open_lesson_filter())
    return lessons


def outline_prefetch(*, user) -> Prefetch:
    """A course's visible modules and lessons, in order, as ``course.outline`` (2 queries
    for any number of courses). A serializer reading ``outline`` without this prefetch
    fails loudly instead of falling back to every module, drafts included."""
    lessons = Lesson.objects.order_by("order", "id")
    modules = Module.objects.order_by("order", "id")
    if not can_see_drafts(user):
        lessons = lessons.filter(status=PublishStatus.PUBLISHED)
        modules = modules.filter(status=PublishStatus.PUBLISHED)
    return Prefetch(
        "modules", queryset=modules.prefetch_related(Prefetch("lessons", queryset=lessons)), to_attr="outline"
    )


def course_catalog(*, user, search: str = "", level: str = "") -> QuerySet[Course]:
    courses = visible_courses(user=user).prefetch_related(outline_prefetch(user=user))
    if search:
        courses = courses.filter(Q(title__icontains=search) | Q(summary__icontains=search))
    if level:
        courses = courses.filter(level=level)
    return courses.order_by("title", "id")


def course_with_outline(*, user, course_id: str) -> Course:
    """One course with its ordered modules and lessons (visible ones only): 3 queries."""
    return visible_courses(user=user).prefetch_related(outline_prefetch(user=user)).get(course_id=course_id)


def lesson_for_player(*, user, lesson_id: str) -> Lesson:
    steps = LessonStep.objects.order_by("step_number")
    return visible_lessons(user=user).prefetch_related(Prefetch("steps", queryset=steps)).get(lesson_id=lesson_id)


def enrolled_course_ids(*, user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Enrollment.objects.filter(user=user).values_list("course_id", flat=True))


def enrolled_public_course_ids(*, user) -> set[str]:
    return set(Enrollment.objects.filter(user=user).values_list("course__course_id", flat=True))


def progress_for(*, user, lesson: Lesson) -> LessonProgress | None:
    return LessonProgress.objects.filter(user=user, lesson=lesson).first()
