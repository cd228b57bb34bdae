"""Version 1 of the REST API, mounted at /api/v1/, and its schema and docs.

``urlpatterns`` is the API itself. ``schema_urlpatterns`` holds what lives
beside the versions, to be included at /api/: the OpenAPI schema, Swagger UI
and the page on which people manage their personal API tokens.
"""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from assessments.api import pages
from assessments.api.views.docs import DocsView, SchemaView, not_found
from maturity.api import FrameworkViewSet

app_name = "api"

catalogue = SimpleRouter(use_regex_path=False)
catalogue.register("frameworks", FrameworkViewSet, basename="framework")

urlpatterns = [
    path("", include(catalogue.urls)),
    path("", include("assessments.api.urls")),
    # Anything else under the API is a JSON 404, not the portal's HTML page.
    re_path(r"", not_found),
]

schema_urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("tokens/", pages.token_list, name="api-tokens"),
    path("tokens/<id:pk>/revoke/", pages.token_revoke, name="api-token-revoke"),
]
