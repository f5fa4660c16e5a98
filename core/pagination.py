"""Page-number pagination with a client-chosen page size, capped, validated."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """The one paginator. A view whose screen shows more rows than the usual 20 sets
    ``default_page_size`` (the client's ``page_size`` still wins, up to the cap)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise ValidationError({self.page_size_query_param: ["Enter a whole number above 0."]})
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = getattr(view, "default_page_size", self.page_size)
        return super().paginate_queryset(queryset, request, view=view)
