"""URLs of the read-only catalogue of the maturity model."""

from django.urls import path

from maturity import views

app_name = "maturity"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<str:code>/<str:version>/", views.framework_detail, name="framework-detail"),
    path("<str:code>/<str:version>/levels/", views.levels, name="levels"),
    path("<str:code>/<str:version>/principles/", views.principles, name="principles"),
    path("<str:code>/<str:version>/search/", views.search, name="search"),
    path(
        "<str:code>/<str:version>/modules/<str:module>/",
        views.module_detail,
        name="module-detail",
    ),
]
