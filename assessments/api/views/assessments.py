"""Assessments: fields and targets, status changes, scores, history, auditors."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from assessments import selectors, services
from assessments.api.pagination import SelectorPagination
from assessments.api.permissions import AssessmentAccess, CreateAssessmentAccess
from assessments.api.serializers.assessments import (
    AssessmentCreateSerializer,
    AssessmentFilterSerializer,
    AssessmentScoreSerializer,
    AssessmentSerializer,
    AssessmentUpdateSerializer,
    ChangeSerializer,
    StartFromSerializer,
    StatusChangeSerializer,
    TransitionRequestSerializer,
    TransitionSerializer,
)
from assessments.api.serializers.common import EmptyRequestSerializer
from assessments.api.serializers.organisations import (
    AuditorGrantCreateSerializer,
    AuditorGrantSerializer,
    AuditorGrantUnlockSerializer,
)
from assessments.api.views.common import AssessmentChildViewSet, AssessmentViewMixin
from assessments.models import Assessment, AssessmentTarget, AuditorGrant
from assessments.permissions import Action, assessments_visible_to, require
from assessments.selectors.lockouts import locked_out_usernames


def with_targets(queryset):
    """Return ``queryset`` with what ``AssessmentSerializer`` reads of each."""
    targets = AssessmentTarget.objects.select_related("module")
    return queryset.select_related(
        "organisation", "framework", "created_by"
    ).prefetch_related(Prefetch("targets", queryset=targets))


@extend_schema_view(
    list=extend_schema(
        summary=_("List the assessments you can see"),
        parameters=[AssessmentFilterSerializer],
    ),
    retrieve=extend_schema(summary=_("Read an assessment")),
    create=extend_schema(
        summary=_("Create a draft assessment"),
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change the title, scope, period or targets"),
        request=AssessmentUpdateSerializer,
        responses={200: AssessmentSerializer},
    ),
    destroy=extend_schema(
        summary=_("Delete a draft that never went to the auditor"),
        description=_(
            "Its answers, evidence and files and its reports go with it; "
            "assessments started from it stay."
        ),
    ),
)
class AssessmentViewSet(
    AssessmentViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssessmentSerializer
    permission_classes = [IsAuthenticated, AssessmentAccess, CreateAssessmentAccess]
    assessment_url_kwarg = "pk"
    lookup_value_converter = "id"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_actions = {
        "partial_update": Action.EDIT,
        "destroy": Action.DELETE,
        "start_from": Action.START_FROM,
        "history": Action.VIEW_HISTORY,
    }
    error_statuses = {"list": {400}}

    def get_queryset(self):
        queryset = assessments_visible_to(self.request.user)
        if self.action == "list":
            filters = AssessmentFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if "organisation" in filters.validated_data:
                queryset = queryset.filter(
                    organisation__slug=filters.validated_data["organisation"]
                )
            if "status" in filters.validated_data:
                queryset = queryset.filter(status=filters.validated_data["status"])
        return with_targets(queryset).order_by("-period_end", "-pk")

    def get_object(self):
        return self.assessment

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.assessment)

    def create(self, request, *args, **kwargs):
        serializer = AssessmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_create(
            actor=request.user, **serializer.validated_data
        )
        return self._respond(assessment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        assessment = self.assessment
        serializer = AssessmentUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        current = {
            "title": assessment.title,
            "scope": assessment.scope,
            "period_start": assessment.period_start,
            "period_end": assessment.period_end,
            "targets": selectors.targets_of(assessment),
        }
        changes = serializer.validated_data
        if "targets" in changes:
            changes["targets"] = {**current["targets"], **changes["targets"]}
        services.assessment_update(
            assessment=assessment, actor=request.user, **{**current, **changes}
        )
        return self._respond(assessment)

    def destroy(self, request, *args, **kwargs):
        services.assessment_delete(assessment=self.assessment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Start a new draft from this assessment"),
        description=_(
            "Answers, targets, evidence and, unless another is given, the scope "
            "statement are carried over to a draft against the latest version "
            "of the standard; carried evidence must be reconfirmed."
        ),
        request=StartFromSerializer,
        responses={201: AssessmentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="start-from")
    def start_from(self, request, pk=None):
        serializer = StartFromSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_start_from(
            previous=self.assessment, actor=request.user, **serializer.validated_data
        )
        return self._respond(assessment, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("List the status changes and whether you may make them"),
        responses={200: TransitionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def transitions(self, request, pk=None):
        assessment = self.assessment
        rows = [
            {
                "name": name,
                "label": str(transition.label),
                "target": transition.target,
                "needs_reason": transition.needs_reason,
                "allowed": services.transition_allowed(request.user, assessment, name),
            }
            for name, transition in services.TRANSITIONS.items()
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(TransitionSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Change the status: submit, start_review, return or finalise"),
        request=TransitionRequestSerializer,
        responses={200: AssessmentSerializer},
        parameters=[
            OpenApiParameter(
                "name",
                str,
                OpenApiParameter.PATH,
                enum=list(services.TRANSITIONS),
                description=_("The status change to make."),
            )
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="transitions/<str:name>",
        url_name="transition",
    )
    def transition(self, request, pk=None, name=None):
        if name not in services.TRANSITIONS:
            raise Http404
        # The role is asked before the body is read, as on every other action.
        require(request.user, services.TRANSITIONS[name].action, self.assessment)
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assessment_transition(
            assessment=self.assessment,
            name=name,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return self._respond(self.assessment)

    @extend_schema(
        summary=_("Read the self-assessed and the verified levels, with gaps"),
        responses={200: AssessmentScoreSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def score(self, request, pk=None):
        assessment = self.assessment
        verdicts = selectors.verdicts_of(assessment)
        return Response(
            {
                "self_assessed": selectors.assessment_score(assessment).to_dict(),
                "verified": selectors.assessment_score(
                    assessment, verdicts.accepted
                ).to_dict(),
                "audited": verdicts.audited,
            }
        )

    @extend_schema(
        summary=_("List the status changes made so far"),
        responses={200: StatusChangeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="status-changes")
    def status_changes(self, request, pk=None):
        changes = selectors.status_history(self.assessment)
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(StatusChangeSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Read the audit trail: every recorded change, newest first"),
        parameters=[OpenApiParameter("page", int, description=_("Page number."))],
        responses={200: ChangeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=SelectorPagination)
    def history(self, request, pk=None):
        page = selectors.assessment_history(
            self.assessment, request.query_params.get("page")
        )
        changes = self.paginator.paginate_selector_page(page, request)
        return self.get_paginated_response(ChangeSerializer(changes, many=True).data)

    def _respond(self, assessment, status_code=status.HTTP_200_OK):
        fresh = with_targets(Assessment.objects.filter(pk=assessment.pk)).get()
        return Response(
            AssessmentSerializer(fresh, context=self.get_serializer_context()).data,
            status=status_code,
        )


@extend_schema_view(
    list=extend_schema(summary=_("List the auditor grants of an assessment")),
    retrieve=extend_schema(summary=_("Read one auditor grant")),
    create=extend_schema(
        summary=_("Grant a third-party auditor access"),
        request=AuditorGrantCreateSerializer,
        responses={201: AuditorGrantSerializer},
    ),
)
class AuditorGrantViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, AssessmentChildViewSet
):
    """Auditor access is managed by the organisation's administrators."""

    serializer_class = AuditorGrantSerializer
    required_actions = {
        "list": Action.MANAGE_AUDITORS,
        "retrieve": Action.MANAGE_AUDITORS,
        "create": Action.MANAGE_AUDITORS,
        "revoke": Action.MANAGE_AUDITORS,
        "unlock": Action.MANAGE_AUDITORS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditorGrant.objects.none()
        return AuditorGrant.objects.filter(assessment=self.assessment).select_related(
            "user", "granted_by", "revoked_by"
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        locked = locked_out_usernames(grant.user.get_username() for grant in page)
        return self.get_paginated_response(
            AuditorGrantSerializer(page, many=True, context={"locked_out": locked}).data
        )

    def create(self, request, *args, **kwargs):
        serializer = AuditorGrantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        grant = services.auditor_grant(
            assessment=self.assessment,
            identifier=data["identifier"],
            expires_on=data.get("expires_on"),
            actor=request.user,
        )
        return Response(
            AuditorGrantSerializer(grant).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("Revoke an auditor's access now"),
        request=None,
        responses={200: AuditorGrantSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, assessment_pk=None, pk=None):
        grant = get_object_or_404(self.get_queryset(), pk=pk)
        EmptyRequestSerializer(data=request.data).is_valid(raise_exception=True)
        grant = services.auditor_revoke(grant=grant, actor=request.user)
        return Response(AuditorGrantSerializer(grant).data)

    @extend_schema(
        summary=_("Unlock an auditor locked out after failed logins"),
        description=_(
            "Clears the auditor's failed logins from every address, so that "
            "the next login is counted from zero. Only through a grant still "
            "open; an ended one is refused with the code grant_ended."
        ),
        request=None,
        responses={200: AuditorGrantUnlockSerializer},
    )
    @action(detail=True, methods=["post"])
    def unlock(self, request, assessment_pk=None, pk=None):
        grant = get_object_or_404(self.get_queryset(), pk=pk)
        EmptyRequestSerializer(data=request.data).is_valid(raise_exception=True)
        reset = services.auditor_unlock(grant=grant, actor=request.user)
        return Response(
            AuditorGrantUnlockSerializer(grant, context={"attempts_reset": reset}).data
        )
