"""Student sign-up (clean API), and student accounts managed by admins (the student app's
own calls, its sign-up included, are in compat_api.py)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.member_api import MemberDetailApi, MemberListApi
from accounts.serializers import login_result
from core.api import PublicApi

from . import services
from .filters import StudentFilter
from .selectors import students_for_admin
from .serializers import (
    AdminStudentCreateSerializer,
    AdminStudentSerializer,
    AdminStudentUpdateSerializer,
    RegisterResultSerializer,
    RegisterSerializer,
)


class RegisterApi(PublicApi):
    # POST /api/accounts/register/: a student's own sign-up, which signs them in.
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: RegisterResultSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, code_sent = services.student_register(**serializer.validated_data)
        return self.signed_up(user, code_sent=code_sent)

    def signed_up(self, user, *, code_sent: bool) -> Response:
        return Response({**login_result(user), "verification_email_sent": code_sent}, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin people"])
@extend_schema_view(post=extend_schema(request=AdminStudentCreateSerializer, responses={201: AdminStudentSerializer}))
class AdminStudentListApi(MemberListApi):
    serializer_class = AdminStudentSerializer
    create_serializer_class = AdminStudentCreateSerializer
    filterset_class = StudentFilter

    def members(self):
        return students_for_admin()

    def member_create(self, **fields):
        return services.student_create(**fields)


@extend_schema(tags=["admin people"])
@extend_schema_view(
    get=extend_schema(responses={200: AdminStudentSerializer}),
    patch=extend_schema(request=AdminStudentUpdateSerializer, responses={200: AdminStudentSerializer}),
)
class AdminStudentDetailApi(MemberDetailApi):
    serializer_class = AdminStudentSerializer
    update_serializer_class = AdminStudentUpdateSerializer

    def members(self):
        return students_for_admin()

    def member_update(self, member, **changes):
        return services.student_update(student=member, **changes)
