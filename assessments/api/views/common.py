"""What the views under an assessment or an organisation share."""

from functools import cached_property

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from assessments import uploads
from assessments.api.exceptions import UploadTooLarge
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

    lookup_value_converter = "id"


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


class UploadLimitMixin:
    """Count the bytes of the files a view receives, and stop them past a limit.

    ``upload_actions`` names the actions that receive files. The limit and
    the message past it are those of evidence files unless a view overrides
    ``upload_limit`` and ``too_large_message``.
    """

    upload_actions: frozenset = frozenset()
    upload_handler = None

    def upload_limit(self) -> int:
        return uploads.max_upload_size()

    def too_large_message(self) -> str:
        return uploads.too_large_error().messages[0]

    def initial(self, request, *args, **kwargs):
        # The handler must be in place before anything reads the body, and
        # the session's CSRF check, in authentication, already does.
        if self.action in self.upload_actions:
            self.upload_handler = uploads.EvidenceUploadHandler(
                request._request, limit=self.upload_limit()
            )
            request._request.upload_handlers.insert(0, self.upload_handler)
        super().initial(request, *args, **kwargs)

    def check_upload_size(self) -> None:
        """Raise UploadTooLarge when a file of the request passed the limit.

        Call it once the body has been read, through ``request.data``.
        """
        if self.upload_handler is not None and self.upload_handler.exceeded:
            raise UploadTooLarge(self.too_large_message())
