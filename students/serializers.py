from rest_framework import serializers

from accounts.serializers import (
    LoginResultSerializer,
    MemberAccountCreateSerializer,
    MemberAccountSerializer,
    MemberAccountUpdateSerializer,
)
from core.ids import rows_by_public_ids
from core.languages import LanguageField, language_name_for
from core.serializers import RejectUnknownFieldsMixin
from schools.models import Level, School, SchoolClass

from .models import Student


class RegisterSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # Student sign-up: the account's fields and the student's school.
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    password2 = serializers.CharField(max_length=128, write_only=True, required=False)
    first_name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=64, required=False, allow_blank=True, default="Ghana")
    school_id = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    preferred_language = LanguageField(required=False, default="en")
    fcm_token = serializers.CharField(max_length=512, required=False, allow_blank=True)

    def validate(self, attrs):
        if "password2" in attrs and attrs["password2"] != attrs["password"]:
            raise serializers.ValidationError({"password2": ["The two passwords do not match."]})
        attrs.pop("password2", None)
        attrs.pop("fcm_token", None)
        return attrs


class RegisterResultSerializer(LoginResultSerializer):
    verification_email_sent = serializers.BooleanField(
        help_text="False when the mail server was down: ask for a new code with email/verify/."
    )


class ExperienceProfileSerializer(serializers.Serializer):
    """What the student app's profile screen reads (CLIENT_CONTRACT.md)."""

    user_id = serializers.CharField(source="user.user_id")
    email = serializers.EmailField(source="user.email")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    preferred_language = serializers.SerializerMethodField(help_text="The name the app shows: English, Twi…")
    preferred_language_code = serializers.CharField(source="user.preferred_language")
    interest_tags = serializers.ListField(child=serializers.CharField())
    accessibility_preferences = serializers.ListField(child=serializers.CharField())
    allow_offline_downloads = serializers.BooleanField()
    has_completed_onboarding = serializers.BooleanField()
    level = serializers.CharField()
    school_id = serializers.SerializerMethodField()
    school_name = serializers.SerializerMethodField()

    def get_preferred_language(self, student: Student) -> str:
        return language_name_for(student.user.preferred_language)

    def get_school_id(self, student: Student) -> str | None:
        return student.school.school_id if student.school else None

    def get_school_name(self, student: Student) -> str | None:
        return student.school.name if student.school else None


class ExperienceProfileUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    preferred_language = LanguageField(required=False)
    accessibility_preferences = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=20, required=False
    )
    interest_tags = serializers.ListField(child=serializers.CharField(max_length=40), max_length=30, required=False)
    allow_offline_downloads = serializers.BooleanField(required=False)
    complete_onboarding = serializers.BooleanField(required=False)


class AdminStudentSerializer(MemberAccountSerializer):
    level = serializers.CharField()
    school_id = serializers.CharField(source="school.school_id", allow_null=True)
    school_name = serializers.CharField(source="school.name", allow_null=True)
    class_id = serializers.CharField(source="school_class.class_id", allow_null=True)
    class_name = serializers.CharField(source="school_class.name", allow_null=True)


class StudentPlacementSerializer(serializers.Serializer):
    school_id = serializers.CharField(max_length=20, required=False, allow_null=True)
    class_id = serializers.CharField(
        max_length=20, required=False, allow_null=True, help_text="Sets the school and level too."
    )
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        for name, model, target in (("school_id", School, "school"), ("class_id", SchoolClass, "school_class")):
            if name in attrs:
                public_id = attrs.pop(name)
                attrs[target] = rows_by_public_ids(model, name, [public_id], field=name)[0] if public_id else None
        return attrs


class AdminStudentCreateSerializer(MemberAccountCreateSerializer, StudentPlacementSerializer):
    pass


class AdminStudentUpdateSerializer(MemberAccountUpdateSerializer, StudentPlacementSerializer):
    pass
