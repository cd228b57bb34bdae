"""Answers of an assessment, one per requirement, updated against a version."""

from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response

from assessments import services
from assessments.api import selectors
from assessments.api.exceptions import Conflict
from assessments.api.serializers.answers import (
    AnswerFilterSerializer,
    AnswerPatchSerializer,
    AnswerSerializer,
    AnswerUpdateSerializer,
)
from assessments.api.views.common import AssessmentViewMixin
from assessments.permissions import Action
from maturity.models import Requirement

CONFLICT_DESCRIPTION = _(
    "The answer changed since the version sent, or the version sent is not "
    "one the answer has had: nothing was written, and ``current`` holds the "
    "answer as it is stored now."
)


def _conflict_message(conflict, sent: int, user) -> str:
    """Say why ``sent`` is refused: outdated, or never a version at all."""
    stored = conflict.current.version
    if sent <= stored and conflict.current.updated_by_id == user.pk:
        # The caller's own save from elsewhere, as another script or tab.
        return gettext(
            "You saved this answer again since version %(sent)d, from another "
            "client or page: it is at version %(version)d. Read it again and "
            "send its version."
        ) % {"sent": sent, "version": stored}
    if sent <= stored:
        return str(conflict)
    return gettext(
        "Version %(sent)d is not a version this answer has had: it is at "
        "version %(version)d. Read the answer again and send its version."
    ) % {"sent": sent, "version": stored}


@extend_schema_view(
    list=extend_schema(
        summary=_("List every requirement of the assessment with its answer"),
        parameters=[AnswerFilterSerializer],
    ),
    retrieve=extend_schema(summary=_("Read the answer to one requirement")),
    update=extend_schema(
        summary=_("Save the answer to one requirement"),
        description=CONFLICT_DESCRIPTION,
        request=AnswerUpdateSerializer,
        responses={200: AnswerSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change the status or justification of one answer"),
        description=CONFLICT_DESCRIPTION,
        request=AnswerPatchSerializer,
        responses={200: AnswerSerializer},
    ),
)
class AnswerViewSet(AssessmentViewMixin, viewsets.GenericViewSet):
    """Answers are addressed by requirement code, answered or not."""

    serializer_class = AnswerSerializer
    lookup_field = "code"
    lookup_value_converter = "str"
    http_method_names = ["get", "put", "patch", "head", "options"]
    required_actions = {"update": Action.ANSWER, "partial_update": Action.ANSWER}
    error_statuses = {"list": {400}, "update": {409}, "partial_update": {409}}

    def list(self, request, *args, **kwargs):
        filters = AnswerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        requirements = selectors.requirements_of(
            self.assessment, **filters.validated_data
        )
        page = self.paginate_queryset(requirements)
        items = selectors.answer_items(self.assessment, page)
        return self.get_paginated_response(AnswerSerializer(items, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        item = selectors.answer_item(self.assessment, self._requirement())
        return Response(AnswerSerializer(item).data)

    def update(self, request, *args, **kwargs):
        return self._save(AnswerUpdateSerializer)

    def partial_update(self, request, *args, **kwargs):
        return self._save(AnswerPatchSerializer)

    def _save(self, serializer_class):
        requirement = self._requirement()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stored = selectors.answer_item(self.assessment, requirement).answer

        try:
            services.answer_save(
                assessment=self.assessment,
                requirement=requirement,
                status=data.get("status", stored.status if stored else ""),
                justification=data.get(
                    "justification", stored.justification if stored else ""
                ),
                base_version=data["version"],
                actor=self.request.user,
            )
        except services.AnswerConflict as conflict:
            current = selectors.answer_item(self.assessment, requirement)
            raise Conflict(
                _conflict_message(conflict, data["version"], self.request.user),
                current=AnswerSerializer(current).data,
            ) from None
        item = selectors.answer_item(self.assessment, requirement)
        return Response(AnswerSerializer(item).data)

    def _requirement(self) -> Requirement:
        code = self.kwargs["code"]
        if "\x00" in code:
            # No code holds one, and PostgreSQL refuses it in a query.
            raise Http404
        requirement = (
            Requirement.objects.filter(
                framework_id=self.assessment.framework_id, code=code
            )
            .select_related("module", "stage")
            .first()
        )
        if requirement is None:
            raise Http404
        return requirement
