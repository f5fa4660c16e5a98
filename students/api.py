"""Student accounts managed by admins (the student app's own calls are in compat_api.py)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.filters import SearchFilter
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsAdminRole

from . import services
from .filters import StudentFilter
from .selectors import student_for_admin, students_for_admin
from .serializers import AdminStudentCreateSerializer, AdminStudentSerializer, AdminStudentUpdateSerializer


@extend_schema(tags=["admin people"])
class AdminStudentListApi(ListAPIView):
    permission_classes = [IsAdminRole]
    serializer_class = AdminStudentSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = StudentFilter
    search_fields = ["user__email", "user__first_name", "user__last_name"]

    def get_queryset(self):
        return students_for_admin()

    @extend_schema(request=AdminStudentCreateSerializer, responses={201: AdminStudentSerializer})
    def post(self, request):
        serializer = AdminStudentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        student = services.student_create(**serializer.validated_data)
        return Response(
            AdminStudentSerializer(student_for_admin(student.user.user_id)).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["admin people"])
class AdminStudentDetailApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(responses={200: AdminStudentSerializer})
    def get(self, request, user_id: str):
        return Response(AdminStudentSerializer(student_for_admin(user_id)).data)

    @extend_schema(request=AdminStudentUpdateSerializer, responses={200: AdminStudentSerializer})
    def patch(self, request, user_id: str):
        student = student_for_admin(user_id)
        serializer = AdminStudentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.student_update(student=student, **serializer.validated_data)
        return Response(AdminStudentSerializer(student_for_admin(user_id)).data)
