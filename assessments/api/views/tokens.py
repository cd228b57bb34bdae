"""The caller's own personal API tokens: list, create, revoke."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from assessments.api import selectors, services
from assessments.api.models import PersonalToken
from assessments.api.serializers.tokens import (
    NewTokenSerializer,
    PersonalTokenSerializer,
    TokenCreateSerializer,
)
from assessments.api.throttles import TokenCreateThrottle


@extend_schema_view(
    list=extend_schema(summary=_("List your API tokens")),
    create=extend_schema(
        summary=_("Create an API token"),
        description=_(
            "The secret is in the response only; store it. How many tokens a "
            "person may create an hour is limited."
        ),
        request=TokenCreateSerializer,
        responses={201: NewTokenSerializer},
    ),
    destroy=extend_schema(summary=_("Revoke one of your API tokens")),
)
class TokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PersonalTokenSerializer
    lookup_value_converter = "id"
    throttle_classes = [TokenCreateThrottle]
    throttle_scope = "token"
    error_statuses = {"create": {429}}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PersonalToken.objects.none()
        return selectors.tokens_of(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.token_create(
            user=request.user, **serializer.validated_data
        )
        return Response(
            NewTokenSerializer(token, context={"secret": secret}).data,
            status=status.HTTP_201_CREATED,
        )

    def destroy(self, request, *args, **kwargs):
        token = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        services.token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
