from rest_framework import serializers

from core.serializers import RejectUnknownFieldsMixin

from .models import School, SchoolClass


class SchoolClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchoolClass
        fields = ["class_id", "name", "level"]


class SchoolSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    classes = SchoolClassSerializer(many=True, read_only=True)

    class Meta:
        model = School
        fields = ["school_id", "name", "region", "district", "code", "is_active", "classes"]
        read_only_fields = ["school_id", "classes"]


class PublicSchoolSerializer(serializers.ModelSerializer):
    """What the sign-up page needs, before login."""

    class Meta:
        model = School
        fields = ["school_id", "name", "region", "district"]
