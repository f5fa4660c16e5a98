"""Validating query strings the way the OpenAPI schema describes them."""

from rest_framework import serializers


class QuerySerializer(serializers.Serializer):
    """``?level=`` is not "no filter": a parameter that is present must be valid."""

    def to_internal_value(self, data):
        empty = [
            name
            for name, field in self.fields.items()
            if data.get(name) == "" and not getattr(field, "allow_blank", False)
        ]
        if empty:
            raise serializers.ValidationError({name: ["This parameter may not be empty."] for name in empty})
        return super().to_internal_value(data)
