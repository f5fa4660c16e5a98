"""Query filters of the admin teacher list."""

import django_filters

from core.filters import NoEmptyParametersForm, StrictBooleanFilter

from .models import Teacher


class TeacherFilter(django_filters.FilterSet):
    school_id = django_filters.CharFilter(field_name="schools__school_id", max_length=20, distinct=True)
    is_active = StrictBooleanFilter(field_name="user__is_active")

    class Meta:
        form = NoEmptyParametersForm
        model = Teacher
        fields = ["school_id", "is_active"]
