"""Login and sign-up in the exact shapes the existing Mr ICT SPAs read.

They read ``response.data`` as ``{"message", "data"}``; the admin app also reads
``data.token``, ``admin_id`` and ``photo``. Token refresh/verify stay plain.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status

from core.envelope import envelope_serializer, enveloped

from . import services
from .api import PublicApi
from .models import User
from .serializers import LegacyLoginDataSerializer, LoginSerializer, RegisterSerializer, UserSerializer
from .throttles import LoginThrottling

LegacyLoginResponse = envelope_serializer("LegacyLoginResponse", LegacyLoginDataSerializer())


def legacy_login_data(user: User) -> dict:
    tokens = services.tokens_for(user=user)
    return {
        "access": tokens["access"],
        "token": tokens["access"],
        "refresh": tokens["refresh"],
        "user_id": user.user_id,
        "admin_id": user.user_id if user.is_admin else None,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "photo": None,
        "user": UserSerializer(user).data,
    }


class LegacyLoginApi(LoginThrottling, PublicApi):
    roles: tuple[str, ...] = ()

    @extend_schema(request=LoginSerializer, responses={200: LegacyLoginResponse}, tags=["accounts (apps)"])
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_authenticate(
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
            roles=self.roles,
        )
        return enveloped(legacy_login_data(user), message="Login successful.")


class StudentLoginApi(LegacyLoginApi):
    # Teachers use the student app too: they read what students read.
    roles = (User.Role.STUDENT, User.Role.TEACHER)


class AdminLoginApi(LegacyLoginApi):
    roles = (User.Role.ADMIN,)


class StudentRegisterApi(PublicApi):
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: LegacyLoginResponse}, tags=["accounts (apps)"])
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, code_sent = services.student_register(**serializer.validated_data)
        message = (
            "Account created."
            if code_sent
            else "Account created. We could not send your verification code right now; ask for a new one later."
        )
        return enveloped(legacy_login_data(user), message=message, status=status.HTTP_201_CREATED)
