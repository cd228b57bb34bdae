"""URLs of assessment export and import."""

from django.urls import path

from assessments.interchange import views

app_name = "interchange"

urlpatterns = [
    path("assessments/<id:pk>/export/", views.export, name="export"),
    path("assessments/<id:pk>/export/json/", views.export_json, name="export-json"),
    path("assessments/<id:pk>/export/zip/", views.export_zip, name="export-zip"),
    path("assessments/<id:pk>/export/csv/", views.export_csv, name="export-csv"),
    path("assessments/<id:pk>/export/xlsx/", views.export_xlsx, name="export-xlsx"),
    path(
        "assessments/<id:pk>/import/questionnaire/",
        views.questionnaire_upload,
        name="questionnaire-upload",
    ),
    path(
        "assessments/<id:pk>/import/questionnaire/preview/",
        views.questionnaire_preview,
        name="questionnaire-preview",
    ),
    path(
        "assessments/<id:pk>/import/questionnaire/confirm/",
        views.questionnaire_confirm,
        name="questionnaire-confirm",
    ),
    path(
        "assessments/<id:pk>/import/questionnaire/cancel/",
        views.questionnaire_cancel,
        name="questionnaire-cancel",
    ),
    path("orgs/<slug:org>/import/", views.assessment_import, name="assessment-import"),
]
