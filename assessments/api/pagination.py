"""Pagination of every list of the API."""

from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """Number the pages; a client may ask for up to 200 items a page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class SelectorPagination(PagePagination):
    """Wrap a page a selector already cut, in the API's list envelope."""

    page_size_query_param = None

    def paginate_selector_page(self, page, request) -> list:
        """Take ``page`` (a Django ``Page``) as this request's page."""
        self.page = page
        self.request = request
        return list(page.object_list)
