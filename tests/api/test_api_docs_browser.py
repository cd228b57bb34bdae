"""Swagger UI renders in a real browser under the site's script policy.

The page is served here without the login gate (tested elsewhere), through
the portal's middleware and so its Content-Security-Policy. Chromium logs a
refused inline script or style on its console; the test fails on any such
line, and when no operation was drawn.
"""

import shutil
import subprocess

import pytest
from django.urls import path
from rest_framework.permissions import AllowAny

from assessments.api.views.docs import DocsView, SchemaView
from portal.urls import urlpatterns as portal_urlpatterns

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class OpenDocsView(DocsView):
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        return super(DocsView, self).get(request, *args, **kwargs)


# The open views come first, ahead of the portal's login-gated ones.
urlpatterns = [
    path(
        "api/schema/",
        SchemaView.as_view(permission_classes=[AllowAny]),
        name="api-schema",
    ),
    path("api/docs/", OpenDocsView.as_view(url_name="api-schema"), name="api-docs"),
    *portal_urlpatterns,
]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.urls(__name__)
def test_swagger_ui_renders_without_breaking_the_policy(live_server, settings):
    settings.ROOT_URLCONF = __name__

    run = subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            f"{live_server.url}/api/docs/",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )

    refusals = [
        line for line in run.stderr.splitlines() if "Content Security Policy" in line
    ]
    assert refusals == []
    assert run.stdout.count('class="opblock-summary-path"') > 40
