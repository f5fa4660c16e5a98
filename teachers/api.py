"""The teacher dashboard (their school's students and classes with progress per course),
and teacher accounts managed by admins."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.member_api import MemberDetailApi, MemberListApi
from core.envelope import envelope_serializer, enveloped
from core.pagination import PageNumberPagination
from core.permissions import IsTeacherOrAdmin
from core.query import QuerySerializer
from core.serializers import IsoDateTimeField

from . import services
from .filters import TeacherFilter
from .selectors import SORTABLE, dashboard_rows, dashboard_students, dashboard_summary, teachers_for_admin
from .serializers import AdminTeacherCreateSerializer, AdminTeacherSerializer, AdminTeacherUpdateSerializer


class DashboardQuerySerializer(QuerySerializer):
    sort = serializers.ChoiceField(choices=list(SORTABLE), required=False, default="name")
    school_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    class_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    course_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=PageNumberPagination.max_page_size)


class DashboardCourseProgressSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    title = serializers.CharField()
    lessons_done = serializers.IntegerField()
    lessons_total = serializers.IntegerField()
    percent = serializers.IntegerField()


class DashboardStudentSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    school_id = serializers.CharField(allow_null=True)
    class_id = serializers.CharField(allow_null=True)
    class_name = serializers.CharField(allow_null=True)
    level = serializers.CharField()
    lessons_done = serializers.IntegerField()
    time_spent_seconds = serializers.IntegerField()
    last_active = IsoDateTimeField(allow_null=True)
    courses = DashboardCourseProgressSerializer(many=True)


class DashboardClassSerializer(serializers.Serializer):
    class_id = serializers.CharField(allow_null=True)
    class_name = serializers.CharField()
    students = serializers.IntegerField()
    lessons_done = serializers.IntegerField()


class DashboardCourseSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    title = serializers.CharField()
    enrolled = serializers.IntegerField()
    lessons_total = serializers.IntegerField()
    average_percent = serializers.IntegerField()


class TeacherDashboardSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Students matching the filters, over all pages.")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    students = DashboardStudentSerializer(many=True, help_text="One page of students.")
    classes = DashboardClassSerializer(
        source="summary.classes", many=True, help_text="Totals per class over every matching student."
    )
    courses = DashboardCourseSerializer(
        source="summary.courses", many=True, help_text="Totals per course over every matching student."
    )


TeacherDashboardResponse = envelope_serializer("TeacherDashboardResponse", TeacherDashboardSerializer())


class TeacherDashboardApi(APIView):
    permission_classes = [IsTeacherOrAdmin]
    default_page_size = 50  # a class or two per screen

    @extend_schema(parameters=[DashboardQuerySerializer], responses={200: TeacherDashboardResponse}, tags=["teachers"])
    def get(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: query.validated_data[k] for k in ("school_id", "class_id", "course_id")}
        students = dashboard_students(user=request.user, sort=query.validated_data["sort"], **filters)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(students, request, view=self)
        dashboard = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "students": dashboard_rows(page),
            "summary": dashboard_summary(user=request.user, **filters),
        }
        return enveloped(TeacherDashboardSerializer(dashboard).data)


# --- teacher accounts, for admins ---------------------------------------------------


@extend_schema(tags=["admin people"])
@extend_schema_view(post=extend_schema(request=AdminTeacherCreateSerializer, responses={201: AdminTeacherSerializer}))
class AdminTeacherListApi(MemberListApi):
    serializer_class = AdminTeacherSerializer
    create_serializer_class = AdminTeacherCreateSerializer
    filterset_class = TeacherFilter

    def members(self):
        return teachers_for_admin()

    def member_create(self, **fields):
        return services.teacher_create(**fields)


@extend_schema(tags=["admin people"])
@extend_schema_view(
    get=extend_schema(responses={200: AdminTeacherSerializer}),
    patch=extend_schema(request=AdminTeacherUpdateSerializer, responses={200: AdminTeacherSerializer}),
)
class AdminTeacherDetailApi(MemberDetailApi):
    serializer_class = AdminTeacherSerializer
    update_serializer_class = AdminTeacherUpdateSerializer

    def members(self):
        return teachers_for_admin()

    def member_update(self, member, **changes):
        return services.teacher_update(teacher=member, **changes)
