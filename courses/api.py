"""Courses, lessons, enrolment and progress (the clean API), and admin content authoring."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.envelope import envelope_serializer, enveloped
from core.ids import as_numeric_id
from core.permissions import IsAdminRole

from . import selectors, services
from .models import Course, Lesson, LessonStep, Module
from .serializers import (
    AdminCourseSerializer,
    AdminLessonSerializer,
    AdminModuleSerializer,
    AdminStepSerializer,
    AdminStepWriteSerializer,
    CourseQuerySerializer,
    CourseSerializer,
    LessonPlayerSerializer,
    NotesSerializer,
    ProgressSerializer,
    ProgressUpdateSerializer,
    TransitionSerializer,
)


class ActivitySerializer(serializers.Serializer):
    event_type = serializers.CharField()
    description = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    occurred_at = serializers.CharField()
    metadata = serializers.DictField()


class TimeseriesPointSerializer(serializers.Serializer):
    date = serializers.CharField()
    enrollments = serializers.IntegerField()
    completions = serializers.IntegerField()


class AdminSummarySerializer(serializers.Serializer):
    stats = serializers.DictField(child=serializers.IntegerField())
    timeseries = TimeseriesPointSerializer(many=True)
    announcements = serializers.ListField(child=serializers.DictField())
    recent_activity = ActivitySerializer(many=True)


AdminSummaryResponse = envelope_serializer("AdminSummaryResponse", AdminSummarySerializer())


def get_or_404(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def lesson_player_data(*, user, lesson_id: str) -> dict:
    from video_tutorials.selectors import lesson_media_for

    try:
        lesson = selectors.lesson_for_player(user=user, lesson_id=lesson_id)
    except Lesson.DoesNotExist as exc:
        raise Http404 from exc
    context = {
        "is_admin": user.is_admin,
        "videos": lesson_media_for(lessons=[lesson], user=user)[lesson.pk],
        "progress": selectors.progress_for(user=user, lesson=lesson),
    }
    return LessonPlayerSerializer(lesson, context=context).data


def course_detail_data(*, user, course_id: str) -> dict:
    try:
        course = selectors.course_with_outline(user=user, course_id=course_id)
    except Course.DoesNotExist as exc:
        raise Http404 from exc
    context = {"enrolled_ids": selectors.enrolled_course_ids(user=user)}
    return CourseSerializer(course, context=context).data


@extend_schema(parameters=[CourseQuerySerializer], tags=["courses"])
class CourseListApi(ListAPIView):
    serializer_class = CourseSerializer
    filter_backends: list = []

    def get_queryset(self):
        query = CourseQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.course_catalog(user=self.request.user, **query.validated_data)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "enrolled_ids": selectors.enrolled_course_ids(user=self.request.user),
        }


class CourseDetailApi(APIView):
    @extend_schema(responses={200: CourseSerializer}, tags=["courses"])
    def get(self, request, course_id: str):
        return Response(course_detail_data(user=request.user, course_id=course_id))


class EnrollmentApi(APIView):
    @extend_schema(request=None, responses={200: CourseSerializer, 201: CourseSerializer}, tags=["courses"])
    def post(self, request, course_id: str):
        course = get_or_404(selectors.visible_courses(user=request.user), course_id=course_id)
        _, created = services.enrollment_create(user=request.user, course=course)
        data = course_detail_data(user=request.user, course_id=course_id)
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None}, tags=["courses"])
    def delete(self, request, course_id: str):
        course = get_or_404(selectors.visible_courses(user=request.user), course_id=course_id)
        services.enrollment_delete(user=request.user, course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonDetailApi(APIView):
    @extend_schema(responses={200: LessonPlayerSerializer}, tags=["courses"])
    def get(self, request, lesson_id: str):
        return Response(lesson_player_data(user=request.user, lesson_id=lesson_id))


def progress_update(*, request, lesson_id: str):
    lesson = get_or_404(selectors.visible_lessons(user=request.user), lesson_id=lesson_id)
    serializer = ProgressUpdateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return services.lesson_progress_update(user=request.user, lesson=lesson, **serializer.validated_data)


class LessonProgressApi(APIView):
    @extend_schema(responses={200: ProgressSerializer}, tags=["courses"])
    def get(self, request, lesson_id: str):
        lesson = get_or_404(selectors.visible_lessons(user=request.user), lesson_id=lesson_id)
        progress = selectors.progress_for(user=request.user, lesson=lesson)
        if progress is None:
            return Response(
                {
                    "lesson_id": lesson.lesson_id,
                    "last_position_seconds": 0,
                    "steps_completed": [],
                    "time_spent_seconds": 0,
                    "completed": False,
                    "completed_at": None,
                    "updated_at": None,
                }
            )
        return Response(ProgressSerializer(progress).data)

    @extend_schema(request=ProgressUpdateSerializer, responses={200: ProgressSerializer}, tags=["courses"])
    def patch(self, request, lesson_id: str):
        return Response(ProgressSerializer(progress_update(request=request, lesson_id=lesson_id)).data)


# --- admin content authoring -------------------------------------------------------------
# The admin SPA reads every answer here as {"message", "data"} (CLIENT_CONTRACT.md).


def admin_course_queryset():
    lessons = Lesson.objects.order_by("order", "id").prefetch_related(
        Prefetch("steps", queryset=LessonStep.objects.order_by("step_number"))
    )
    modules = Module.objects.order_by("order", "id").prefetch_related(Prefetch("lessons", queryset=lessons))
    return Course.objects.prefetch_related(Prefetch("modules", queryset=modules)).order_by("title", "id")


def _lessons_of(instance) -> list[Lesson]:
    if isinstance(instance, Course):
        return [lesson for module in instance.modules.all() for lesson in module.lessons.all()]
    if isinstance(instance, Module):
        return list(instance.lessons.all())
    return [instance]


def admin_content_data(instance, *, serializer_class, user, many: bool = False):
    """Courses, modules or lessons with the videos of every lesson inside (2 queries)."""
    from video_tutorials.selectors import lesson_media_for

    lessons = [lesson for item in (instance if many else [instance]) for lesson in _lessons_of(item)]
    context = {"videos_by_lesson": lesson_media_for(lessons=lessons, user=user)}
    return serializer_class(instance, many=many, context=context).data


def lookup_by_public_or_numeric(queryset, public_field: str, key: str):
    numeric = as_numeric_id(key)
    lookup = {"pk": numeric} if numeric is not None else {public_field: key}
    return get_or_404(queryset, **lookup)


class AdminApi(APIView):
    permission_classes = [IsAdminRole]


class AdminCourseListSerializer(serializers.Serializer):
    courses = AdminCourseSerializer(many=True)
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total_pages = serializers.IntegerField()


def page_info(page) -> dict:
    """The pagination fields beside a list under ``data``, as the student catalog has them."""
    return {
        "count": page.paginator.count,
        "page": page.number,
        "page_size": page.paginator.per_page,
        "total_pages": page.paginator.num_pages,
    }


# many=False: an envelope around one page, not a list the schema should wrap again.
AdminCourseListResponse = extend_schema_serializer(many=False)(
    envelope_serializer("AdminCourseListResponse", AdminCourseListSerializer())
)
AdminAuditLogResponse = envelope_serializer("AdminAuditLogResponse", TransitionSerializer(many=True))
ADMIN_RESPONSES = {
    AdminCourseSerializer: envelope_serializer("AdminCourseResponse", AdminCourseSerializer()),
    AdminModuleSerializer: envelope_serializer("AdminModuleResponse", AdminModuleSerializer()),
    AdminLessonSerializer: envelope_serializer("AdminLessonResponse", AdminLessonSerializer()),
}


@extend_schema(tags=["admin content"])
class AdminCourseListApi(ListAPIView):
    permission_classes = [IsAdminRole]
    serializer_class = AdminCourseSerializer
    filter_backends: list = []

    def get_queryset(self):
        return admin_course_queryset()

    @extend_schema(responses={200: AdminCourseListResponse})
    def get(self, request, *args, **kwargs):
        courses = self.paginate_queryset(self.get_queryset())
        data = admin_content_data(courses, serializer_class=AdminCourseSerializer, user=request.user, many=True)
        return enveloped({"courses": data, **page_info(self.paginator.page)})

    @extend_schema(request=AdminCourseSerializer, responses={201: ADMIN_RESPONSES[AdminCourseSerializer]})
    def post(self, request):
        serializer = AdminCourseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = services.course_create(by=request.user, **serializer.validated_data)
        data = admin_content_data(course, serializer_class=AdminCourseSerializer, user=request.user)
        return enveloped(data, message="Course created.", status=status.HTTP_201_CREATED)


def admin_object_api(model, serializer_class, public_field: str, queryset_fn):
    response = ADMIN_RESPONSES[serializer_class]

    class ObjectApi(AdminApi):
        def serialize(self, key: str):
            instance = lookup_by_public_or_numeric(queryset_fn(), public_field, key)
            return admin_content_data(instance, serializer_class=serializer_class, user=self.request.user)

        @extend_schema(responses={200: response}, tags=["admin content"])
        def get(self, request, key: str):
            return enveloped(self.serialize(key))

        @extend_schema(request=serializer_class, responses={200: response}, tags=["admin content"])
        def patch(self, request, key: str):
            instance = lookup_by_public_or_numeric(queryset_fn(), public_field, key)
            serializer = serializer_class(instance, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            services.content_update(instance=instance, **serializer.validated_data)
            return enveloped(self.serialize(key), message=f"{model.__name__} saved.")

    ObjectApi.__name__ = f"Admin{model.__name__}Api"
    return ObjectApi


def admin_create_api(serializer_class):
    class CreateApi(AdminApi):
        @extend_schema(
            request=serializer_class, responses={201: ADMIN_RESPONSES[serializer_class]}, tags=["admin content"]
        )
        def post(self, request):
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            instance = serializer.save()
            data = admin_content_data(instance, serializer_class=serializer_class, user=request.user)
            return enveloped(
                data, message=f"{serializer_class.Meta.model.__name__} created.", status=status.HTTP_201_CREATED
            )

    CreateApi.__name__ = f"{serializer_class.__name__}CreateApi"
    return CreateApi


def admin_transition_api(model, serializer_class, public_field: str, queryset_fn, action: str):
    class TransitionApi(AdminApi):
        @extend_schema(
            request=NotesSerializer, responses={200: ADMIN_RESPONSES[serializer_class]}, tags=["admin content"]
        )
        def post(self, request, key: str):
            instance = lookup_by_public_or_numeric(queryset_fn(), public_field, key)
            notes = NotesSerializer(data=request.data)
            notes.is_valid(raise_exception=True)
            services.content_transition(instance=instance, action=action, by=request.user, **notes.validated_data)
            # Reloaded like the detail view, so lessons keep their videos in the answer.
            instance = lookup_by_public_or_numeric(queryset_fn(), public_field, key)
            data = admin_content_data(instance, serializer_class=serializer_class, user=request.user)
            return enveloped(data, message=f"{model.__name__} is now {instance.get_status_display().lower()}.")

    TransitionApi.__name__ = f"Admin{model.__name__}{action.title().replace('-', '')}Api"
    return TransitionApi


class AdminCourseAuditLogApi(AdminApi):
    @extend_schema(responses={200: AdminAuditLogResponse}, tags=["admin content"])
    def get(self, request, key: str):
        course = lookup_by_public_or_numeric(Course.objects.all(), "course_id", key)
        transitions = course.transitions.select_related("performed_by")
        return enveloped(TransitionSerializer(transitions, many=True).data)


def module_queryset():
    return Module.objects.prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("order", "id").prefetch_related("steps"))
    ).select_related("course")


def lesson_queryset():
    return Lesson.objects.select_related("module").prefetch_related("steps")


CONTENT_KINDS = {
    "courses": (Course, AdminCourseSerializer, "course_id", admin_course_queryset),
    "modules": (Module, AdminModuleSerializer, "module_id", module_queryset),
    "lessons": (Lesson, AdminLessonSerializer, "lesson_id", lesson_queryset),
}
TRANSITION_ACTIONS = list(services.TRANSITIONS)


AdminStepResponse = envelope_serializer("AdminStepResponse", AdminStepSerializer())


def _lesson_for_steps(key: str) -> Lesson:
    return lookup_by_public_or_numeric(Lesson.objects.all(), "lesson_id", key)


class AdminStepListApi(AdminApi):
    @extend_schema(request=AdminStepWriteSerializer, responses={201: AdminStepResponse}, tags=["admin content"])
    def post(self, request, key: str):
        lesson = _lesson_for_steps(key)
        serializer = AdminStepWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = services.lesson_step_create(lesson=lesson, **serializer.validated_data)
        return enveloped(AdminStepSerializer(step).data, message="Step created.", status=status.HTTP_201_CREATED)


class AdminStepDetailApi(AdminApi):
    def get_step(self, key: str, step_number: int) -> LessonStep:
        return get_or_404(LessonStep.objects.filter(lesson=_lesson_for_steps(key)), step_number=step_number)

    @extend_schema(responses={200: AdminStepResponse}, tags=["admin content"])
    def get(self, request, key: str, step_number: int):
        return enveloped(AdminStepSerializer(self.get_step(key, step_number)).data)

    @extend_schema(request=AdminStepWriteSerializer, responses={200: AdminStepResponse}, tags=["admin content"])
    def patch(self, request, key: str, step_number: int):
        step = self.get_step(key, step_number)
        serializer = AdminStepWriteSerializer(step, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        step = services.lesson_step_update(step=step, **serializer.validated_data)
        return enveloped(AdminStepSerializer(step).data, message="Step saved.")


class AdminSummaryApi(AdminApi):
    @extend_schema(responses={200: AdminSummaryResponse}, tags=["analytics"])
    def get(self, request):
        from .analytics import admin_summary

        return enveloped(admin_summary())
