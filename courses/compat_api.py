"""Shapes the existing SPAs read around the clean API's data: a page of a list with its
pagination fields beside it, under the ``{"message", "data"}`` envelope (CLIENT_CONTRACT.md)."""

from rest_framework import serializers


def page_info(page) -> dict:
    """The pagination fields beside a list under ``data``, as the student catalog has them."""
    return {
        "count": page.paginator.count,
        "page": page.number,
        "page_size": page.paginator.per_page,
        "total_pages": page.paginator.num_pages,
    }


class PageInfoSerializer(serializers.Serializer):
    # page_info's fields; a page's serializer adds its list beside them.

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total_pages = serializers.IntegerField()
