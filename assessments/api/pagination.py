"""Pagination of every list of the API."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

# The links are absolute, on the host the request was sent to; examples
# show their path only, which is the same wherever the portal is served.
LINK_EXAMPLE = "/api/v1/assessments/?page={page}"


class PagePagination(PageNumberPagination):
    """Number the pages; a client may ask for up to 200 items a page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        links = {
            "next": (
                4,
                _(
                    "The address of the next page, on the host the request was "
                    "sent to; null on the last page."
                ),
            ),
            "previous": (
                2,
                _(
                    "The address of the previous page, on the host the request "
                    "was sent to; null on the first page."
                ),
            ),
        }
        for name, (page, description) in links.items():
            response["properties"][name].update(
                example=LINK_EXAMPLE.format(page=page), description=description
            )
        return response


class SelectorPagination(PagePagination):
    """Wrap a page a selector already cut, in the API's list envelope."""

    page_size_query_param = None

    def paginate_selector_page(self, page, request) -> list:
        """Take ``page`` (a Django ``Page``) as this request's page.

        Selectors fall back to the nearest page for the pages of the site;
        here a page number that is not the page cut answers 404, as on the
        other lists.
        """
        asked = request.query_params.get(self.page_query_param)
        if asked is not None and asked != str(page.number):
            raise NotFound(self.invalid_page_message)
        self.page = page
        self.request = request
        return list(page.object_list)
