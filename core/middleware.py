"""Request guards that apply before any view."""

from .errors import json_error_response


class RejectNulBytesMiddleware:
    """A NUL byte in a path or query string is never valid input, and PostgreSQL refuses
    it in text columns (a 500 waiting to happen): answer 400 before any lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in value for values in request.GET.lists() for value in values[1])
        ):
            return json_error_response(
                request, status_code=400, detail="The address contains a NUL character.", code="bad_request"
            )
        return self.get_response(request)
