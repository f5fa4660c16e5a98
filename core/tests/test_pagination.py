"""The one paginator: 20 rows, a view's own default, the client's page_size up to 100."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.pagination import PageNumberPagination


class ScreenView:
    default_page_size = 50


def page_length(query: str, view=None) -> int:
    request = Request(APIRequestFactory().get(f"/rows/{query}"))
    return len(PageNumberPagination().paginate_queryset(list(range(300)), request, view=view))


def test_page_size_is_20_the_views_default_or_the_clients_choice_up_to_100():
    assert page_length("") == 20
    assert page_length("", view=ScreenView()) == 50
    assert page_length("?page_size=7", view=ScreenView()) == 7
    assert page_length("?page_size=500") == 100


@pytest.mark.parametrize("size", ["0", "-1", "x", "²"])
def test_a_page_size_that_is_not_a_whole_number_above_0_is_refused(size):
    with pytest.raises(ValidationError):
        page_length(f"?page_size={size}")
