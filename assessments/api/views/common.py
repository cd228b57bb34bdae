"""What the views under an assessment or an organisation share."""

from functools import cached_property

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from assessments.api.permissions import AssessmentAccess, OrganisationAccess
from assessments.permissions import get_assessment, get_organisation


class AssessmentViewMixin:
    """Load the assessment of the URL for the caller, or answer 404.

    ``required_actions`` maps a view action to the ``Action`` it needs on
    the assessment; actions left out need ``Action.VIEW``.
    """

    permission_classes = [IsAuthenticated, AssessmentAccess]
    assessment_url_kwarg = "assessment_pk"
    required_actions: dict = {}
    # Statuses particular to some actions, for the schema; see api.schema.
    error_statuses: dict = {}

    @cached_property
    def assessment(self):
        return get_assessment(self.request.user, self.kwargs[self.assessment_url_kwarg])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.assessment_url_kwarg in self.kwargs and not getattr(
            self, "swagger_fake_view", False
        ):
            context["assessment"] = self.assessment
        return context


class AssessmentChildViewSet(AssessmentViewMixin, viewsets.GenericViewSet):
    """A viewset of things that belong to the assessment of the URL."""

    lookup_value_converter = "int"


class OrganisationViewMixin:
    """Load the organisation of the URL for a member, or answer 404."""

    permission_classes = [IsAuthenticated, OrganisationAccess]
    organisation_url_kwarg = "organisation_slug"
    required_actions: dict = {}
    error_statuses: dict = {}

    @cached_property
    def organisation(self):
        return get_organisation(
            self.request.user, self.kwargs[self.organisation_url_kwarg]
        )
