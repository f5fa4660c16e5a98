"""Input and output shapes of the account endpoints."""

from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from core.envelope import envelope_serializer
from core.languages import LanguageField
from core.serializers import RejectUnknownFieldsMixin

from .models import User
from .services import token_refresh, tokens_for


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "user_id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "country",
            "role",
            "email_verified",
            "preferred_language",
            "date_joined",
        ]
        read_only_fields = fields


class UserUpdateSerializer(StrictSerializer):
    first_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    country = serializers.CharField(max_length=64, required=False, allow_blank=True)
    preferred_language = LanguageField(required=False)


class LoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True)
    # Sent by the existing apps for push notifications; accepted and not stored yet.
    fcm_token = serializers.CharField(max_length=512, required=False, allow_blank=True)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResultSerializer(TokenPairSerializer):
    user = UserSerializer()


class LegacyLoginDataSerializer(serializers.Serializer):
    """What the existing SPAs read under ``data`` after a login."""

    access = serializers.CharField()
    token = serializers.CharField(help_text="The access token again (older admin app).")
    refresh = serializers.CharField()
    user_id = serializers.CharField()
    admin_id = serializers.CharField(allow_null=True)
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.CharField()
    photo = serializers.CharField(allow_null=True)
    user = UserSerializer()


LegacyLoginResponse = envelope_serializer("LegacyLoginResponse", LegacyLoginDataSerializer())


def login_result(user: User) -> dict:
    """A new sign-in's tokens and the user, in LoginResultSerializer's shape."""
    return {**tokens_for(user=user), "user": UserSerializer(user).data}


def legacy_login_data(user: User) -> dict:
    """A new sign-in in LegacyLoginDataSerializer's shape (the existing SPAs' ``data``)."""
    tokens = tokens_for(user=user)
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


class SignInRefreshSerializer(TokenRefreshSerializer):
    """``POST token/refresh/``: see ``services.token_refresh``."""

    refresh = serializers.CharField()
    access = serializers.CharField(read_only=True)

    def validate(self, attrs):
        return token_refresh(raw=attrs["refresh"])


class TokenRefreshResultSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(
        help_text="The refresh token to use next: the one sent, or a new one of the same sign-in when "
        "rotation is on (JWT_ROTATE_REFRESH_TOKENS). The one sent keeps working either way."
    )


class LogoutSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=2048)


class PasswordChangeSerializer(StrictSerializer):
    old_password = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128)


class CodeSerializer(StrictSerializer):
    code = serializers.RegexField(r"^\d{6}$", max_length=6, error_messages={"invalid": "Enter the 6-digit code."})


class EmailSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    code = serializers.RegexField(r"^\d{6}$", max_length=6, error_messages={"invalid": "Enter the 6-digit code."})
    new_password = serializers.CharField(max_length=128)


class MessageSerializer(serializers.Serializer):
    detail = serializers.CharField()


class MemberAccountCreateSerializer(StrictSerializer):
    """The account part of a teacher or student an admin adds."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    password = serializers.CharField(
        max_length=128,
        required=False,
        write_only=True,
        style={"input_type": "password"},
        help_text='Optional. Without it, the person chooses a password with "Forgot password".',
    )


class MemberAccountUpdateSerializer(StrictSerializer):
    first_name = serializers.CharField(max_length=80, required=False)
    last_name = serializers.CharField(max_length=80, required=False)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        required=False, help_text="False signs the person out everywhere and stops new sign-ins; nothing is deleted."
    )


class MemberAccountSerializer(serializers.Serializer):
    """The account part of a teacher or student as admins see it."""

    user_id = serializers.CharField(source="user.user_id")
    email = serializers.EmailField(source="user.email")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    phone = serializers.CharField(source="user.phone")
    is_active = serializers.BooleanField(source="user.is_active")
    email_verified = serializers.BooleanField(source="user.email_verified")
    has_password = serializers.BooleanField(
        source="user.has_usable_password", help_text="False until the person chooses one."
    )
    date_joined = serializers.DateTimeField(source="user.date_joined")
    last_login = serializers.DateTimeField(source="user.last_login", allow_null=True)
