"""Routes of the API's assessments part and its index; see ``portal.api_urls``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from assessments.api.views.answers import AnswerViewSet
from assessments.api.views.assessments import AssessmentViewSet, AuditorGrantViewSet
from assessments.api.views.docs import IndexView
from assessments.api.views.evidence import EvidenceLinkViewSet, EvidenceViewSet
from assessments.api.views.interchange import (
    AssessmentImportViewSet,
    ExportViewSet,
    QuestionnaireViewSet,
)
from assessments.api.views.organisations import (
    MembershipViewSet,
    OrganisationTokenViewSet,
    OrganisationViewSet,
)
from assessments.api.views.reviews import CommentViewSet, FindingViewSet, ReviewViewSet
from assessments.api.views.tokens import TokenViewSet
from reports.api import ReportViewSet

ASSESSMENT = "assessments/<id:assessment_pk>"
ORGANISATION = "organisations/<slug:organisation_slug>"

# Path converters rather than regular expressions: the schema then knows
# that ids are integers.
router = SimpleRouter(use_regex_path=False)
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register(f"{ORGANISATION}/members", MembershipViewSet, basename="membership")
router.register(
    f"{ORGANISATION}/tokens", OrganisationTokenViewSet, basename="organisation-token"
)
router.register(
    f"{ORGANISATION}/import", AssessmentImportViewSet, basename="assessment-import"
)
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register(f"{ASSESSMENT}/answers", AnswerViewSet, basename="answer")
router.register(f"{ASSESSMENT}/evidence", EvidenceViewSet, basename="evidence")
router.register(f"{ASSESSMENT}/links", EvidenceLinkViewSet, basename="evidence-link")
router.register(f"{ASSESSMENT}/reviews", ReviewViewSet, basename="review")
router.register(f"{ASSESSMENT}/comments", CommentViewSet, basename="comment")
router.register(f"{ASSESSMENT}/findings", FindingViewSet, basename="finding")
router.register(f"{ASSESSMENT}/auditors", AuditorGrantViewSet, basename="auditor-grant")
router.register(f"{ASSESSMENT}/reports", ReportViewSet, basename="report")
router.register(f"{ASSESSMENT}/export", ExportViewSet, basename="export")
router.register(
    f"{ASSESSMENT}/questionnaire", QuestionnaireViewSet, basename="questionnaire"
)
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [path("", IndexView.as_view(), name="index"), *router.urls]
