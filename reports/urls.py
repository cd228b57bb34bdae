"""URLs of PDF maturity reports."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<int:pk>/reports/", views.report_list, name="report-list"),
    path(
        "assessments/<int:pk>/reports/new/",
        views.report_request,
        name="report-request",
    ),
    path(
        "assessments/<int:pk>/reports/<int:report>/",
        views.report_detail,
        name="report-detail",
    ),
    path(
        "assessments/<int:pk>/reports/<int:report>/status/",
        views.report_status,
        name="report-status",
    ),
    path(
        "assessments/<int:pk>/reports/<int:report>/retry/",
        views.report_retry,
        name="report-retry",
    ),
    path(
        "assessments/<int:pk>/reports/<int:report>/download/",
        views.report_download,
        name="report-download",
    ),
]
