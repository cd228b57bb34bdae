"""Organisations, their members, and their members' API tokens."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments import selectors, services
from assessments.api import selectors as api_selectors
from assessments.api import services as api_services
from assessments.api.models import PersonalToken
from assessments.api.pagination import SelectorPagination
from assessments.api.serializers.assessments import ChangeSerializer
from assessments.api.serializers.common import EmptyRequestSerializer
from assessments.api.serializers.organisations import (
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUnlockSerializer,
    MembershipUpdateSerializer,
    OrganisationSerializer,
)
from assessments.api.serializers.tokens import PersonalTokenSerializer
from assessments.api.views.common import OrganisationViewMixin
from assessments.models import Membership
from assessments.permissions import Action, organisations_of
from assessments.selectors.lockouts import locked_out_usernames
from assessments.services.organisations import membership_unlock


@extend_schema_view(
    list=extend_schema(summary=_("List the organisations you are a member of")),
    retrieve=extend_schema(summary=_("Read one of your organisations")),
)
class OrganisationViewSet(
    OrganisationViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"
    organisation_url_kwarg = "slug"
    required_actions = {"history": Action.VIEW_HISTORY}

    def get_queryset(self):
        return organisations_of(self.request.user).order_by("name", "pk")

    def get_object(self):
        return self.organisation

    @extend_schema(
        summary=_("Read the history of the organisation"),
        description=_(
            "Members added and removed, roles changed and lockouts lifted; "
            "assessments imported and drafts deleted. Newest first."
        ),
        parameters=[OpenApiParameter("page", int, description=_("Page number."))],
        responses={200: ChangeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=SelectorPagination)
    def history(self, request, slug=None):
        page = selectors.organisation_history(
            self.organisation, request.query_params.get("page")
        )
        changes = self.paginator.paginate_selector_page(page, request)
        return self.get_paginated_response(ChangeSerializer(changes, many=True).data)


@extend_schema_view(
    list=extend_schema(summary=_("List the members of an organisation")),
    retrieve=extend_schema(summary=_("Read one membership")),
    create=extend_schema(
        summary=_("Add an existing account as a member"),
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a member's role"),
        request=MembershipUpdateSerializer,
        responses={200: MembershipSerializer},
    ),
    destroy=extend_schema(summary=_("Remove a member")),
    unlock=extend_schema(
        summary=_("Unlock a member locked out after failed logins"),
        description=_(
            "Clears the member's failed logins from every address, so that the "
            "next login is counted from zero."
        ),
        request=None,
        responses={200: MembershipUnlockSerializer},
    ),
)
class MembershipViewSet(
    OrganisationViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Members are managed by the organisation's administrators, as on the pages."""

    serializer_class = MembershipSerializer
    lookup_value_converter = "id"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_actions = dict.fromkeys(
        ("list", "retrieve", "create", "partial_update", "destroy", "unlock"),
        Action.MANAGE_MEMBERS,
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return (
            Membership.objects.filter(organisation=self.organisation)
            .select_related("user", "organisation")
            .order_by("user__username", "pk")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        locked = locked_out_usernames(m.user.get_username() for m in page)
        return self.get_paginated_response(
            MembershipSerializer(page, many=True, context={"locked_out": locked}).data
        )

    def create(self, request, *args, **kwargs):
        data = self._valid(MembershipCreateSerializer)
        membership = services.membership_add(
            organisation=self.organisation, actor=request.user, **data
        )
        return Response(
            MembershipSerializer(membership).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        data = self._valid(MembershipUpdateSerializer)
        membership = services.membership_change_role(
            membership=self.get_object(), role=data["role"], actor=request.user
        )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        services.membership_remove(membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def unlock(self, request, *args, **kwargs):
        membership = self.get_object()
        EmptyRequestSerializer(data=request.data).is_valid(raise_exception=True)
        reset = membership_unlock(membership=membership, actor=request.user)
        return Response(
            MembershipUnlockSerializer(
                membership, context={"attempts_reset": reset}
            ).data
        )

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary=_("List the API tokens of the organisation's members")),
    destroy=extend_schema(summary=_("Revoke a member's API token")),
)
class OrganisationTokenViewSet(
    OrganisationViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """What an administrator sees of the tokens of the organisation's members."""

    serializer_class = PersonalTokenSerializer
    lookup_value_converter = "id"
    required_actions = {
        "list": Action.MANAGE_MEMBERS,
        "destroy": Action.MANAGE_MEMBERS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PersonalToken.objects.none()
        return api_selectors.organisation_tokens(self.organisation)

    def destroy(self, request, *args, **kwargs):
        token = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        api_services.token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
