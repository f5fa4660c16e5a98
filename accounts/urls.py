from django.urls import path

from . import api, compat_api

app_name = "accounts"

# Sign-up (register/, register-student/) makes a student profile: students/urls.py serves it.
urlpatterns = [
    path("login/", api.LoginApi.as_view(), name="login"),
    path("token/refresh/", api.ThrottledTokenRefreshApi.as_view(), name="token-refresh"),
    path("token/verify/", api.ThrottledTokenVerifyApi.as_view(), name="token-verify"),
    path("logout/", api.LogoutApi.as_view(), name="logout"),
    path("me/", api.MeApi.as_view(), name="me"),
    path("password/change/", api.PasswordChangeApi.as_view(), name="password-change"),
    path("password/reset/", api.PasswordResetRequestApi.as_view(), name="password-reset"),
    path("password/reset/confirm/", api.PasswordResetConfirmApi.as_view(), name="password-reset-confirm"),
    path("email/verify/", api.EmailVerificationRequestApi.as_view(), name="email-verify-request"),
    path("email/verify/confirm/", api.EmailVerificationConfirmApi.as_view(), name="email-verify-confirm"),
    # The existing Mr ICT apps' paths.
    path("login-student/", compat_api.StudentLoginApi.as_view(), name="login-student"),
    path("login-admin/", compat_api.AdminLoginApi.as_view(), name="login-admin"),
]
