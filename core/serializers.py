"""Serializer pieces shared by every app."""

from rest_framework import serializers


class RejectUnknownFieldsMixin:
    """Refuses unknown fields, so a typo in a client is a clear 400, not silently ignored.

    Used on the clean API's writes. The authoring endpoints the existing admin app calls
    stay lenient: that app may send back whole objects with fields of the old backend.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return super().to_internal_value(data)
