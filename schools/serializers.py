from rest_framework import serializers

from core.query import QuerySerializer
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


class PublicSchoolListSerializer(serializers.Serializer):
    schools = PublicSchoolSerializer(many=True)
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    total_pages = serializers.IntegerField()


class SchoolQuerySerializer(QuerySerializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    page = serializers.IntegerField(min_value=1, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False, default=50)
