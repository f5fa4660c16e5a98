"""Input fields accept the types the OpenAPI schema promises, and nothing else.

DRF quietly turns ``0`` into ``"0"`` for a text field, ``0`` into ``False`` for a
boolean and ``"5"`` into ``5`` for a number. A client sending the wrong type has a
bug worth hearing about, so JSON bodies get a clear 400 instead. Query strings and
forms carry only text, so there the usual text-to-type parsing still applies.
"""

from django.http import QueryDict
from rest_framework import fields


def _is_json_input(field) -> bool:
    data = getattr(field.root, "initial_data", None)
    return isinstance(data, dict | list) and not isinstance(data, QueryDict)


def _strict(field_class, accepts):
    original = field_class.to_internal_value

    def to_internal_value(self, data):
        if _is_json_input(self) and not accepts(data):
            self.fail("invalid")
        return original(self, data)

    field_class.to_internal_value = to_internal_value


def make_fields_strict() -> None:
    if getattr(fields.Field, "_mrict_strict", False):
        return
    _strict(fields.CharField, lambda data: isinstance(data, str))
    _strict(fields.BooleanField, lambda data: isinstance(data, bool))
    _strict(fields.IntegerField, lambda data: isinstance(data, int) and not isinstance(data, bool))
    _strict(fields.FloatField, lambda data: isinstance(data, int | float) and not isinstance(data, bool))
    _strict(fields.DecimalField, lambda data: isinstance(data, int | float | str) and not isinstance(data, bool))
    fields.Field._mrict_strict = True
