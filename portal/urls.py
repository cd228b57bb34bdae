"""Top-level URL configuration of the portal."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views
from portal.api_urls import schema_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
