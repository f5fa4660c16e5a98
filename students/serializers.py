from rest_framework import serializers

from accounts.serializers import (
    MemberAccountCreateSerializer,
    MemberAccountSerializer,
    MemberAccountUpdateSerializer,
)
from core.ids import rows_by_public_ids
from core.languages import LanguageField, language_name_for
from core.serializers import RejectUnknownFieldsMixin
from schools.models import Level, School, SchoolClass

from .models import Student


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
