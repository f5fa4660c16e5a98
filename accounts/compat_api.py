"""Login in the exact shapes the existing Mr ICT SPAs read (their sign-up is in students/).

They read ``response.data`` as ``{"message", "data"}``; the admin app also reads
``data.token``, ``admin_id`` and ``photo``. Token refresh/verify stay plain.
"""

from drf_spectacular.utils import extend_schema

from core.api import PublicApi
from core.envelope import enveloped

from . import services
from .models import User
from .serializers import LegacyLoginResponse, LoginSerializer, legacy_login_data
from .throttles import LoginThrottling


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
