"""URLs of PDF maturity reports."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<id:pk>/reports/", views.report_list, name="report-list"),
    path(
        "assessments/<id:pk>/reports/new/",
        views.report_request,
        name="report-request",
    ),
    path(
        "assessments/<id:pk>/reports/<id:report>/",
        views.report_detail,
        name="report-detail",
    ),
    path(
        "assessments/<id:pk>/reports/<id:report>/status/",
        views.report_status,
        name="report-status",
    ),
    path(
        "assessments/<id:pk>/reports/<id:report>/retry/",
        views.report_retry,
        name="report-retry",
    ),
    path(
        "assessments/<id:pk>/reports/<id:report>/download/",
        views.report_download,
        name="report-download",
    ),
]
