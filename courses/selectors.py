"""Reads of the learning content, shaped once so views never cause N+1 queries.

One visibility rule: admins (``can_see_drafts``) see every course, module and lesson;
everyone else only published ones, and a lesson only when its module and course are
published too (``open_lesson_filter``). Their querysets simply never contain anything else.
A view that loads one course or lesson by its URL key goes through ``access_course`` /
``access_lesson``, which apply that rule or answer 404.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.ids import get_by_public_id_or_pk

from .lesson_media import videos_by_lesson
from .models import Course, Enrollment, Lesson, LessonProgress, LessonStep, Module, PublishStatus


def can_see_drafts(user) -> bool:
    """The one "is this user an admin" rule for content (views use ``IsAdminRole``, the same test)."""
    return bool(user and user.is_authenticated and user.is_admin)


def visible_courses(*, user, courses: QuerySet[Course] | None = None) -> QuerySet[Course]:
    courses = Course.objects.all() if courses is None else courses
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


def visible_lessons(*, user, lessons: QuerySet[Lesson] | None = None) -> QuerySet[Lesson]:
    lessons = Lesson.objects.select_related("module__course") if lessons is None else lessons
    if not can_see_drafts(user):
        lessons = lessons.filter(open_lesson_filter())
    return lessons


def _get_by_key(queryset, key: str, *, user, public_field: str):
    # Admins' old links may carry the numeric pk; everyone else's carry the public id only.
    if can_see_drafts(user):
        return get_by_public_id_or_pk(queryset, key, public_field=public_field)
    return get_object_or_404(queryset, **{public_field: key})


def access_course(user, key: str, *, courses: QuerySet[Course] | None = None) -> Course:
    """The course ``key`` names if ``user`` may see it, else Http404. ``courses`` shapes the query."""
    return _get_by_key(visible_courses(user=user, courses=courses), key, user=user, public_field="course_id")


def access_lesson(user, key: str, *, lessons: QuerySet[Lesson] | None = None) -> Lesson:
    """The lesson ``key`` names if ``user`` may see it, else Http404. ``lessons`` shapes the query."""
    return _get_by_key(visible_lessons(user=user, lessons=lessons), key, user=user, public_field="lesson_id")


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


def course_with_outline(*, user, key: str) -> Course:
    """One course with its ordered modules and lessons (visible ones only): 3 queries."""
    return access_course(user, key, courses=Course.objects.prefetch_related(outline_prefetch(user=user)))


def course_context(*, user) -> dict:
    """What ``CourseSerializer`` reads besides the course."""
    return {"enrolled_ids": enrolled_course_ids(user=user)}


def lesson_for_player(*, user, key: str) -> Lesson:
    steps = LessonStep.objects.order_by("step_number")
    lessons = Lesson.objects.select_related("module__course").prefetch_related(Prefetch("steps", queryset=steps))
    return access_lesson(user, key, lessons=lessons)


def lesson_player_context(*, user, lesson: Lesson) -> dict:
    """What ``LessonPlayerSerializer`` reads besides the lesson (3 queries: videos, progress)."""
    return {
        "is_admin": can_see_drafts(user),
        "videos_by_lesson": videos_by_lesson(lessons=[lesson], user=user),
        "progress": progress_for(user=user, lesson=lesson),
    }


def enrolled_course_ids(*, user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Enrollment.objects.filter(user=user).values_list("course_id", flat=True))


def enrolled_public_course_ids(*, user) -> set[str]:
    return set(Enrollment.objects.filter(user=user).values_list("course__course_id", flat=True))


def progress_for(*, user, lesson: Lesson) -> LessonProgress | None:
    return LessonProgress.objects.filter(user=user, lesson=lesson).first()


# --- the admin content tree ------------------------------------------------------------


def admin_courses() -> QuerySet[Course]:
    """Courses with every module, lesson and step, in order (4 queries for any number)."""
    return Course.objects.prefetch_related(Prefetch("modules", queryset=_admin_modules())).order_by("title", "id")


def _admin_lessons() -> QuerySet[Lesson]:
    return Lesson.objects.order_by("order", "id").prefetch_related(
        Prefetch("steps", queryset=LessonStep.objects.order_by("step_number"))
    )


def _admin_modules() -> QuerySet[Module]:
    return Module.objects.order_by("order", "id").prefetch_related(Prefetch("lessons", queryset=_admin_lessons()))


def admin_modules() -> QuerySet[Module]:
    return Module.objects.prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("order", "id").prefetch_related("steps"))
    ).select_related("course")


def admin_lessons() -> QuerySet[Lesson]:
    return Lesson.objects.select_related("module").prefetch_related("steps")


def lessons_in(content) -> list[Lesson]:
    """The lessons inside a course, a module or a lesson (itself), from its prefetched tree."""
    if isinstance(content, Course):
        return [lesson for module in content.modules.all() for lesson in module.lessons.all()]
    if isinstance(content, Module):
        return list(content.lessons.all())
    return [content]


def admin_content_context(contents, *, user) -> dict:
    """What the admin content serializers read besides the content: the videos of every
    lesson inside ``contents`` (2 queries)."""
    lessons = [lesson for content in contents for lesson in lessons_in(content)]
    return {"is_admin": can_see_drafts(user), "videos_by_lesson": videos_by_lesson(lessons=lessons, user=user)}
