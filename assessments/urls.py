"""URLs of organisations, assessments, questionnaires and evidence."""

from django.urls import path

from assessments.views import assessments, evidence, organisations, questionnaire

app_name = "assessments"

urlpatterns = [
    path(
        "orgs/switch/",
        organisations.organisation_switch,
        name="organisation-switch",
    ),
    path("orgs/new/", organisations.organisation_create, name="organisation-create"),
    path(
        "orgs/<slug:org>/",
        organisations.organisation_detail,
        name="organisation-detail",
    ),
    path("orgs/<slug:org>/members/", organisations.member_list, name="member-list"),
    path("orgs/<slug:org>/members/add/", organisations.member_add, name="member-add"),
    path(
        "orgs/<slug:org>/members/create/",
        organisations.member_create,
        name="member-create",
    ),
    path(
        "orgs/<slug:org>/members/<int:membership>/role/",
        organisations.member_role,
        name="member-role",
    ),
    path(
        "orgs/<slug:org>/members/<int:membership>/remove/",
        organisations.member_remove,
        name="member-remove",
    ),
    path(
        "orgs/<slug:org>/assessments/new/",
        assessments.assessment_create,
        name="assessment-create",
    ),
    path(
        "assessments/<int:pk>/", assessments.assessment_detail, name="assessment-detail"
    ),
    path(
        "assessments/<int:pk>/edit/",
        assessments.assessment_update,
        name="assessment-update",
    ),
    path(
        "assessments/<int:pk>/status/<slug:name>/",
        assessments.assessment_transition,
        name="assessment-transition",
    ),
    path(
        "assessments/<int:pk>/auditors/",
        assessments.auditor_list,
        name="auditor-list",
    ),
    path(
        "assessments/<int:pk>/auditors/<int:grant>/revoke/",
        assessments.auditor_revoke,
        name="auditor-revoke",
    ),
    path(
        "assessments/<int:pk>/questionnaire/",
        questionnaire.questionnaire_start,
        name="questionnaire-start",
    ),
    path(
        "assessments/<int:pk>/modules/<str:area>/",
        questionnaire.questionnaire,
        name="questionnaire",
    ),
    path(
        "assessments/<int:pk>/requirements/<str:code>/answer/",
        questionnaire.answer_update,
        name="answer-update",
    ),
    path(
        "assessments/<int:pk>/requirements/<str:code>/evidence/",
        evidence.evidence_add,
        name="evidence-add",
    ),
    path(
        "assessments/<int:pk>/requirements/<str:code>/evidence/existing/",
        evidence.evidence_attach,
        name="evidence-attach",
    ),
    path(
        "assessments/<int:pk>/evidence/", evidence.evidence_list, name="evidence-list"
    ),
    path(
        "assessments/<int:pk>/evidence/new/",
        evidence.evidence_add,
        name="evidence-create",
    ),
    path(
        "assessments/<int:pk>/evidence/<int:evidence>/download/",
        evidence.evidence_download,
        name="evidence-download",
    ),
    path(
        "assessments/<int:pk>/evidence/<int:evidence>/delete/",
        evidence.evidence_delete,
        name="evidence-delete",
    ),
    path(
        "assessments/<int:pk>/links/<int:link>/detach/",
        evidence.evidence_detach,
        name="evidence-detach",
    ),
    path(
        "assessments/<int:pk>/links/<int:link>/reconfirm/",
        evidence.evidence_reconfirm,
        name="evidence-reconfirm",
    ),
]
