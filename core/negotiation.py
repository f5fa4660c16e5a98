"""DRF's content negotiation, remembered for the Accept headers clients really send.

Parsing the Accept header into media types on every request was a tenth of a cached
read's time in the view (issue 14). The apps (axios), browsers' fetch and command-line
clients send one of a few fixed headers; for those the choice depends only on the view's
renderers, so it is made once. Any other header is negotiated as DRF always does; the
memo holds no client input (its keys are the headers below).
"""

from rest_framework.negotiation import DefaultContentNegotiation

COMMON_ACCEPT_HEADERS = frozenset({"*/*", "application/json", "application/json, text/plain, */*"})


class ContentNegotiation(DefaultContentNegotiation):
    _choices: dict[tuple, tuple[int, str]] = {}

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if (
            format_suffix is not None
            or accept not in COMMON_ACCEPT_HEADERS
            or self.settings.URL_FORMAT_OVERRIDE in request.query_params
        ):
            return super().select_renderer(request, renderers, format_suffix)
        key = (accept, tuple(type(renderer) for renderer in renderers))
        choice = self._choices.get(key)
        if choice is None:
            renderer, media_type = super().select_renderer(request, renderers)
            choice = self._choices[key] = (renderers.index(renderer), media_type)
        index, media_type = choice
        return renderers[index], media_type
