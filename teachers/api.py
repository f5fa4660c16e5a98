"""The teacher dashboard: their school's students and classes with progress."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from core.envelope import envelope_serializer, enveloped
from core.permissions import IsTeacherOrAdmin
from core.query import QuerySerializer

from .selectors import SORTABLE, teacher_dashboard


class DashboardQuerySerializer(QuerySerializer):
    sort = serializers.ChoiceField(choices=list(SORTABLE), required=False, default="name")
    school_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    class_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")


class DashboardStudentSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    school_id = serializers.CharField(allow_null=True)
    class_name = serializers.CharField(allow_null=True)
    level = serializers.CharField()
    lessons_done = serializers.IntegerField()
    time_spent_seconds = serializers.IntegerField()
    last_active = serializers.CharField(allow_null=True)


class DashboardClassSerializer(serializers.Serializer):
    class_name = serializers.CharField()
    students = serializers.IntegerField()
    lessons_done = serializers.IntegerField()


class TeacherDashboardSerializer(serializers.Serializer):
    students = DashboardStudentSerializer(many=True)
    classes = DashboardClassSerializer(many=True)


TeacherDashboardResponse = envelope_serializer("TeacherDashboardResponse", TeacherDashboardSerializer())


class TeacherDashboardApi(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(parameters=[DashboardQuerySerializer], responses={200: TeacherDashboardResponse}, tags=["teachers"])
    def get(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return enveloped(teacher_dashboard(user=request.user, **query.validated_data))
