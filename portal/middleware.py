"""Middleware of the portal shell."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render


class NotFoundPageMiddleware:
    """Show the portal's own page when a view finds nothing, with DEBUG on too.

    DEBUG is the laptop default, where people try the demo: an auditor who
    opens an assessment not granted to them should read the portal's page,
    not Django's technical one listing every address. Without DEBUG, Django
    shows that page anyway. The API answers its own 404s as JSON; an
    address no pattern matches still gets Django's page under DEBUG, for
    whoever develops the portal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (settings.DEBUG and isinstance(exception, Http404)):
            return None
        return render(request, "404.html", status=404)
