"""django-filter pieces that refuse what they do not understand instead of ignoring it."""

import django_filters
from django import forms


class StrictBooleanField(forms.NullBooleanField):
    """``?is_active=maybe`` is a 400, not "no filter" (Django's field and widget quietly read it as None)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Enter true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class NoEmptyParametersForm(forms.Form):
    """``?level=`` is not "no filter": a parameter that is present must be valid, as in
    core.query.QuerySerializer (django-filter would skip it)."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            if self.data.get(name) == "":
                self.add_error(name, "This parameter may not be empty.")
        return cleaned
