"""Content authoring for the admin SPA: courses → modules → lessons → steps, the publishing
workflow and its audit log, and the admin dashboard's summary. Every answer is the admin
SPA's ``{"message", "data"}`` envelope (CLIENT_CONTRACT.md). A course, module or lesson is
named in the URL by its public id or (old links) its numeric id.

One class per operation and kind, so a grep for the URL's view finds its code:
``AdminCourseDetailApi``, ``AdminModuleTransitionApi`` (its URLs name the transition), ...
The shared steps live in the bases: ``AdminContentDetailApi`` (read, edit),
``AdminContentCreateApi``, ``AdminContentTransitionApi``.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.views import APIView

from core.envelope import envelope_serializer, enveloped
from core.ids import get_by_public_id_or_pk
from core.permissions import IsAdminRole

from . import selectors, services
from .analytics import admin_summary
from .compat_api import PageInfoSerializer, page_info
from .models import Course, Lesson, LessonStep, Module
from .serializers import (
    AdminCourseSerializer,
    AdminLessonSerializer,
    AdminModuleSerializer,
    AdminStepSerializer,
    AdminStepWriteSerializer,
    NotesSerializer,
    TransitionSerializer,
)

TAGS = ["admin content"]


class AdminApi(APIView):
    permission_classes = [IsAdminRole]


# --- courses, modules, lessons ----------------------------------------------------------


def content_data(content, *, serializer_class, user, many: bool = False) -> dict | list:
    """Courses, modules or lessons with the videos of every lesson inside (2 queries)."""
    context = selectors.admin_content_context(content if many else [content], user=user)
    return serializer_class(content, many=many, context=context).data


class AdminContentMixin:
    # What a view over one kind of content needs to know about it (a comment, not a docstring:
    # the schema would show a docstring as every view's description).

    model: type[Course | Module | Lesson]
    serializer_class: type[serializers.ModelSerializer]

    def get_content(self, key: str):
        raise NotImplementedError

    def content_data(self, content) -> dict:
        return content_data(content, serializer_class=self.serializer_class, user=self.request.user)


class AdminCourseMixin(AdminContentMixin):
    model = Course
    serializer_class = AdminCourseSerializer

    def get_content(self, key: str) -> Course:
        return selectors.access_course(self.request.user, key, courses=selectors.admin_courses())


class AdminModuleMixin(AdminContentMixin):
    model = Module
    serializer_class = AdminModuleSerializer

    def get_content(self, key: str) -> Module:
        return get_by_public_id_or_pk(selectors.admin_modules(), key, public_field="module_id")


class AdminLessonMixin(AdminContentMixin):
    model = Lesson
    serializer_class = AdminLessonSerializer

    def get_content(self, key: str) -> Lesson:
        return selectors.access_lesson(self.request.user, key, lessons=selectors.admin_lessons())


ADMIN_RESPONSES = {
    AdminCourseSerializer: envelope_serializer("AdminCourseResponse", AdminCourseSerializer()),
    AdminModuleSerializer: envelope_serializer("AdminModuleResponse", AdminModuleSerializer()),
    AdminLessonSerializer: envelope_serializer("AdminLessonResponse", AdminLessonSerializer()),
}


def content_schema(view):
    """Documents a content view's methods with its kind's envelope (the bases cannot: the kind
    is the subclass's)."""
    response = ADMIN_RESPONSES[view.serializer_class]
    documented = {
        "get": extend_schema(responses={200: response}, tags=TAGS),
        "patch": extend_schema(request=view.serializer_class, responses={200: response}, tags=TAGS),
        "post": extend_schema(request=view.serializer_class, responses={201: response}, tags=TAGS),
    }
    if issubclass(view, AdminContentTransitionApi):
        documented = {"post": extend_schema(request=NotesSerializer, responses={200: response}, tags=TAGS)}
    return extend_schema_view(**{method: documented[method] for method in documented if hasattr(view, method)})(view)


class AdminContentDetailApi(AdminContentMixin, AdminApi):
    def get(self, request, key: str):
        return enveloped(self.content_data(self.get_content(key)))

    def patch(self, request, key: str):
        content = self.get_content(key)
        serializer = self.serializer_class(content, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.content_update(instance=content, **serializer.validated_data)
        # Reloaded, so the answer has the tree and videos as a read has them.
        return enveloped(self.content_data(self.get_content(key)), message=f"{self.model.__name__} saved.")


class AdminContentCreateApi(AdminContentMixin, AdminApi):
    def post(self, request):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = serializer.save()
        return enveloped(
            self.content_data(content), message=f"{self.model.__name__} created.", status=status.HTTP_201_CREATED
        )


class AdminContentTransitionApi(AdminContentMixin, AdminApi):
    transition: str = ""  # a key of services.TRANSITIONS, given by the URL: as_view(transition=...)

    def post(self, request, key: str):
        content = self.get_content(key)
        notes = NotesSerializer(data=request.data)
        notes.is_valid(raise_exception=True)
        services.content_transition(instance=content, action=self.transition, by=request.user, **notes.validated_data)
        # Reloaded like the detail view, so lessons keep their videos in the answer.
        content = self.get_content(key)
        return enveloped(
            self.content_data(content), message=f"{self.model.__name__} is now {content.get_status_display().lower()}."
        )


# Courses


class AdminCourseListSerializer(PageInfoSerializer):
    courses = AdminCourseSerializer(many=True)


# many=False: an envelope around one page, not a list the schema should wrap again.
AdminCourseListResponse = extend_schema_serializer(many=False)(
    envelope_serializer("AdminCourseListResponse", AdminCourseListSerializer())
)


@extend_schema(tags=TAGS)
class AdminCourseListApi(ListAPIView):
    # Courses a page at a time (?page=&page_size=), and a new course.

    permission_classes = [IsAdminRole]
    serializer_class = AdminCourseSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.admin_courses()

    @extend_schema(responses={200: AdminCourseListResponse})
    def get(self, request, *args, **kwargs):
        courses = self.paginate_queryset(self.get_queryset())
        data = content_data(courses, serializer_class=AdminCourseSerializer, user=request.user, many=True)
        return enveloped({"courses": data, **page_info(self.paginator.page)})

    @extend_schema(request=AdminCourseSerializer, responses={201: ADMIN_RESPONSES[AdminCourseSerializer]})
    def post(self, request):
        serializer = AdminCourseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = services.course_create(by=request.user, **serializer.validated_data)
        data = content_data(course, serializer_class=AdminCourseSerializer, user=request.user)
        return enveloped(data, message="Course created.", status=status.HTTP_201_CREATED)


@content_schema
class AdminCourseDetailApi(AdminCourseMixin, AdminContentDetailApi):
    pass


@content_schema
class AdminCourseTransitionApi(AdminCourseMixin, AdminContentTransitionApi):
    pass


AdminAuditLogResponse = envelope_serializer("AdminAuditLogResponse", TransitionSerializer(many=True))


class AdminCourseAuditLogApi(AdminApi):
    @extend_schema(responses={200: AdminAuditLogResponse}, tags=TAGS)
    def get(self, request, key: str):
        course = selectors.access_course(request.user, key)
        transitions = course.transitions.select_related("performed_by")
        return enveloped(TransitionSerializer(transitions, many=True).data)


# Modules


@content_schema
class AdminModuleCreateApi(AdminModuleMixin, AdminContentCreateApi):
    pass


@content_schema
class AdminModuleDetailApi(AdminModuleMixin, AdminContentDetailApi):
    pass


@content_schema
class AdminModuleTransitionApi(AdminModuleMixin, AdminContentTransitionApi):
    pass


# Lessons


@content_schema
class AdminLessonCreateApi(AdminLessonMixin, AdminContentCreateApi):
    pass


@content_schema
class AdminLessonDetailApi(AdminLessonMixin, AdminContentDetailApi):
    pass


@content_schema
class AdminLessonTransitionApi(AdminLessonMixin, AdminContentTransitionApi):
    pass


# --- steps of a lesson -----------------------------------------------------------------

AdminStepResponse = envelope_serializer("AdminStepResponse", AdminStepSerializer())


class AdminStepListApi(AdminApi):
    @extend_schema(request=AdminStepWriteSerializer, responses={201: AdminStepResponse}, tags=TAGS)
    def post(self, request, key: str):
        lesson = selectors.access_lesson(request.user, key)
        serializer = AdminStepWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = services.lesson_step_create(lesson=lesson, **serializer.validated_data)
        return enveloped(AdminStepSerializer(step).data, message="Step created.", status=status.HTTP_201_CREATED)


class AdminStepDetailApi(AdminApi):
    def get_step(self, key: str, step_number: int) -> LessonStep:
        lesson = selectors.access_lesson(self.request.user, key)
        return get_object_or_404(LessonStep, lesson=lesson, step_number=step_number)

    @extend_schema(responses={200: AdminStepResponse}, tags=TAGS)
    def get(self, request, key: str, step_number: int):
        return enveloped(AdminStepSerializer(self.get_step(key, step_number)).data)

    @extend_schema(request=AdminStepWriteSerializer, responses={200: AdminStepResponse}, tags=TAGS)
    def patch(self, request, key: str, step_number: int):
        step = self.get_step(key, step_number)
        serializer = AdminStepWriteSerializer(step, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        step = services.lesson_step_update(step=step, **serializer.validated_data)
        return enveloped(AdminStepSerializer(step).data, message="Step saved.")


# --- the admin dashboard ---------------------------------------------------------------


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


class AdminSummaryApi(AdminApi):
    @extend_schema(responses={200: AdminSummaryResponse}, tags=["analytics"])
    def get(self, request):
        return enveloped(admin_summary())
