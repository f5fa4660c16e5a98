"""Teacher accounts as admins see and change them."""

from rest_framework import serializers

from accounts.serializers import MemberAccountCreateSerializer, MemberAccountSerializer, MemberAccountUpdateSerializer
from core.ids import rows_by_public_ids
from schools.models import School, SchoolClass


class TeacherSchoolSerializer(serializers.Serializer):
    school_id = serializers.CharField()
    name = serializers.CharField()


class TeacherClassSerializer(serializers.Serializer):
    class_id = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    school_id = serializers.CharField(source="school.school_id")


class AdminTeacherSerializer(MemberAccountSerializer):
    subject = serializers.CharField()
    schools = TeacherSchoolSerializer(many=True, source="schools.all")
    classes = TeacherClassSerializer(many=True, source="classes.all")


def _public_ids_field(help_text: str):
    return serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=50, required=False, help_text=help_text
    )


class TeacherPlacementSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=80, required=False)
    school_ids = _public_ids_field("The schools the teacher sees; replaces the current list.")
    class_ids = _public_ids_field("Classes of those schools the teacher teaches; replaces the current list.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "school_ids" in attrs:
            attrs["schools"] = rows_by_public_ids(School, "school_id", attrs.pop("school_ids"), field="school_ids")
        if "class_ids" in attrs:
            attrs["classes"] = rows_by_public_ids(SchoolClass, "class_id", attrs.pop("class_ids"), field="class_ids")
        return attrs


class AdminTeacherCreateSerializer(MemberAccountCreateSerializer, TeacherPlacementSerializer):
    pass


class AdminTeacherUpdateSerializer(MemberAccountUpdateSerializer, TeacherPlacementSerializer):
    pass
