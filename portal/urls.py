"""Top-level URL configuration of the portal."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from portal import views
from portal.api_urls import schema_urlpatterns

# Browsers ask for /favicon.ico whatever the pages link. The icon's address
# is looked up on the first request: in production it names a file of the
# static files' manifest, which importing the URLs must not need.
favicon = RedirectView.as_view(
    url=lazy(static, str)("portal/favicon.svg"), permanent=True
)

handler500 = "portal.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("catalogue/", include("maturity.urls")),
    path("", include("assessments.urls")),
    path("", include("assessments.interchange.urls")),
    path("", include("reports.urls")),
    path("api/v1/", include("portal.api_urls")),
    path("api/", include(schema_urlpatterns)),
    path("admin/", admin.site.urls),
]
