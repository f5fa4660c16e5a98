"""Query filters of the admin student list."""

import django_filters

from core.filters import NoEmptyParametersForm, StrictBooleanFilter
from schools.models import Level

from .models import Student


class StudentFilter(django_filters.FilterSet):
    school_id = django_filters.CharFilter(field_name="school__school_id")
    class_id = django_filters.CharFilter(field_name="school_class__class_id")
    level = django_filters.ChoiceFilter(choices=Level.choices)
    is_active = StrictBooleanFilter(field_name="user__is_active")

    class Meta:
        form = NoEmptyParametersForm
        model = Student
        fields = ["school_id", "class_id", "level", "is_active"]
