"""Account endpoints under /api/accounts/ (the clean API). Student sign-up makes a student
profile too, so it is served by students/ (students/api.py), on the same path."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from core.api import PublicApi

from . import services
from .serializers import (
    CodeSerializer,
    EmailSerializer,
    LoginResultSerializer,
    LoginSerializer,
    LogoutSerializer,
    MessageSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    SignInRefreshSerializer,
    TokenRefreshResultSerializer,
    UserSerializer,
    UserUpdateSerializer,
    login_result,
)
from .throttles import LoginThrottling


class LoginApi(LoginThrottling, PublicApi):
    @extend_schema(request=LoginSerializer, responses={200: LoginResultSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_authenticate(
            email=serializer.validated_data["email"], password=serializer.validated_data["password"]
        )
        return Response(login_result(user))


class ThrottledTokenRefreshApi(TokenRefreshView):
    """SimpleJWT's plain shape ({"access", "refresh"}): the apps read ``access`` at top level.
    The sign-in's refresh token keeps working for the whole sign-in (services.token_refresh).

    Its own generous scope, not login's: every SPA of a class behind one school NAT
    refreshes at lesson start, and a signed token can't be guessed anyway.
    """

    serializer_class = SignInRefreshSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=SignInRefreshSerializer,
        responses={200: TokenRefreshResultSerializer},
        tags=["accounts"],
        description="A new access token. The refresh token keeps working until it expires or its sign-in "
        "ends (logout, password change or reset, deactivation); re-sending it is always fine.",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ThrottledTokenVerifyApi(TokenVerifyView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class LogoutApi(APIView):
    @extend_schema(request=LogoutSerializer, responses={200: MessageSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_logout(refresh=serializer.validated_data["refresh"], access=request.auth, user=request.user)
        return Response({"detail": "You are logged out."})


class MeApi(APIView):
    @extend_schema(responses={200: UserSerializer}, tags=["accounts"])
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer}, tags=["accounts"])
    def patch(self, request):
        serializer = UserUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = request.user
        for field, value in serializer.validated_data.items():
            setattr(user, field, value)
        user.save(update_fields=list(serializer.validated_data) or None)
        return Response(UserSerializer(user).data)


class PasswordChangeApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(request=PasswordChangeSerializer, responses={200: MessageSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_change(user=request.user, **serializer.validated_data)
        return Response({"detail": "Password changed. Sign in again on your other devices."})


class EmailVerificationRequestApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "otp"

    @extend_schema(request=None, responses={200: MessageSerializer}, tags=["accounts"])
    def post(self, request):
        services.email_verification_request(user=request.user)
        return Response({"detail": "We sent a 6-digit code to your email."})


class EmailVerificationConfirmApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "otp"

    @extend_schema(request=CodeSerializer, responses={200: UserSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = CodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.email_verify(user=request.user, code=serializer.validated_data["code"])
        return Response(UserSerializer(user).data)


class PasswordResetRequestApi(PublicApi):
    throttle_scope = "password_reset"

    @extend_schema(request=EmailSerializer, responses={200: MessageSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return Response({"detail": "If an account uses this email, we sent it a 6-digit code."})


class PasswordResetConfirmApi(PublicApi):
    throttle_scope = "otp"

    @extend_schema(request=PasswordResetConfirmSerializer, responses={200: MessageSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response({"detail": "Your password is changed. You can sign in now."})
