"""The portal's URLs with the API's schema, docs and token page at /api/.

Until ``portal.urls`` includes ``schema_urlpatterns`` itself, the API tests
run against this configuration.
"""

from django.urls import include, path

from portal.api_urls import schema_urlpatterns
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [*portal_urlpatterns, path("api/", include(schema_urlpatterns))]
