"""Content negotiation remembers its choice for the common Accept headers and still
negotiates every other header as DRF does."""

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.negotiation import COMMON_ACCEPT_HEADERS, ContentNegotiation
from core.renderers import ORJSONRenderer


class EventStreamRenderer(BaseRenderer):
    media_type = "text/event-stream"
    format = "sse"


def _request(accept=None, path="/x"):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(path, **headers))


RENDERER_LISTS = [
    [ORJSONRenderer()],
    [EventStreamRenderer(), ORJSONRenderer()],
    [JSONRenderer(), EventStreamRenderer()],
]


@pytest.mark.parametrize("accept", [None, *sorted(COMMON_ACCEPT_HEADERS)])
@pytest.mark.parametrize("renderers", RENDERER_LISTS, ids=["json", "sse-first", "json-first"])
def test_common_headers_choose_what_drf_chooses_twice_over(accept, renderers):
    expected = DefaultContentNegotiation().select_renderer(_request(accept), renderers)
    for _ in range(2):  # the first call fills the memo, the second reads it
        assert ContentNegotiation().select_renderer(_request(accept), renderers) == expected


def test_other_headers_and_format_overrides_are_negotiated_as_before():
    renderers = [EventStreamRenderer(), ORJSONRenderer()]
    chosen, media_type = ContentNegotiation().select_renderer(_request("text/event-stream"), renderers)
    assert isinstance(chosen, EventStreamRenderer) and media_type == "text/event-stream"
    chosen, _ = ContentNegotiation().select_renderer(_request("*/*", path="/x?format=sse"), renderers)
    assert isinstance(chosen, EventStreamRenderer)
    with pytest.raises(NotAcceptable):
        ContentNegotiation().select_renderer(_request("text/html"), [ORJSONRenderer()])


@pytest.mark.django_db
def test_an_api_that_cannot_answer_in_the_accepted_type_says_406_in_the_error_shape(api_client):
    response = api_client.get("/api/courses/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_acceptable"
