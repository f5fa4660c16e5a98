"""The ``{"message", "data"}`` envelope the existing Mr ICT apps read."""

from rest_framework import serializers
from rest_framework import status as http_status
from rest_framework.response import Response


def enveloped(data, *, message: str = "OK", status: int = http_status.HTTP_200_OK, headers=None) -> Response:
    return Response({"message": message, "data": data}, status=status, headers=headers)


def envelope_serializer(name: str, data_serializer) -> type[serializers.Serializer]:
    """An OpenAPI-exact wrapper type for enveloped responses."""
    return type(
        name,
        (serializers.Serializer,),
        {"message": serializers.CharField(), "data": data_serializer},
    )
