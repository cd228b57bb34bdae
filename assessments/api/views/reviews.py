"""The auditor's review through the API: verdicts, comments and findings."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments import services
from assessments.api.serializers.reviews import (
    CommentCreateSerializer,
    CommentSerializer,
    FindingSerializer,
    FindingWriteSerializer,
    PageAcceptanceSerializer,
    PageAcceptSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
)
from assessments.api.views.common import AssessmentChildViewSet
from assessments.models import Answer, Comment, Finding, Review
from assessments.permissions import Action


def _answer_of(assessment, requirement, field="requirement") -> Answer:
    """Return the answer to ``requirement``, or refuse the field naming it."""
    answer = Answer.objects.filter(
        assessment=assessment, requirement=requirement
    ).first()
    if answer is None:
        raise ValidationError(
            {field: _("The requirement has not been answered yet.")},
            code="unanswered",
        )
    return answer


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the verdicts on the answers")),
    create=extend_schema(
        summary=gettext_lazy("Record a verdict on the answer to a requirement"),
        description=gettext_lazy(
            "A new verdict replaces the earlier one on the same answer; it "
            "applies to the answer's current version, or to the version named, "
            "which must still be the current one."
        ),
        request=ReviewCreateSerializer,
        responses={200: ReviewSerializer},
    ),
)
class ReviewViewSet(mixins.ListModelMixin, AssessmentChildViewSet):
    serializer_class = ReviewSerializer
    required_actions = {
        "create": Action.RECORD_VERDICT,
        "accept_page": Action.RECORD_VERDICT,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        return (
            Review.objects.filter(answer__assessment=self.assessment)
            .select_related("answer__requirement", "reviewer")
            .order_by("answer__requirement__sequence")
        )

    def create(self, request, *args, **kwargs):
        serializer = ReviewCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = services.review_record(
            answer=_answer_of(self.assessment, data["requirement"]),
            verdict=data["verdict"],
            comment=data["comment"],
            actor=request.user,
            seen_version=data.get("answer_version"),
        )
        return Response(ReviewSerializer(self.get_queryset().get(pk=review.pk)).data)

    @extend_schema(
        summary=gettext_lazy("Accept the answers of one questionnaire page together"),
        description=gettext_lazy(
            "Accepts each answer of the page that awaits a verdict and is at "
            "the version sent in ``seen``, as the auditor's button on the page "
            "does: an answer rejected or questioned before is left for a "
            "verdict of its own. Answers changed since they were read are left "
            "too, and named in the response."
        ),
        request=PageAcceptSerializer,
        responses={200: PageAcceptanceSerializer},
    )
    @action(detail=False, methods=["post"], url_path="accept-page")
    def accept_page(self, request, *args, **kwargs):
        serializer = PageAcceptSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        page = serializer.validated_data["page"]
        seen = _seen_versions(self.assessment, serializer.validated_data["seen"])

        acceptance = services.review_accept_unreviewed(
            assessment=self.assessment, area=page, actor=request.user, seen=seen
        )
        accepted = self.get_queryset().filter(
            pk__in=[review.pk for review in acceptance.reviews]
        )
        return Response(
            {
                "accepted": ReviewSerializer(accepted, many=True).data,
                "left": len(acceptance.left),
                "left_requirements": acceptance.left,
            }
        )


def _seen_versions(assessment, versions: dict[str, int]) -> dict[int, int]:
    """Map the versions read, by requirement code, to their answers' ids."""
    answers = Answer.objects.filter(
        assessment=assessment, requirement__code__in=list(versions)
    ).values_list("pk", "requirement__code")
    return {pk: versions[code] for pk, code in answers}


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the comments of an assessment")),
    create=extend_schema(
        summary=gettext_lazy("Comment on an answer or an evidence item"),
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    ),
)
class CommentViewSet(mixins.ListModelMixin, AssessmentChildViewSet):
    serializer_class = CommentSerializer
    required_actions = {"create": Action.COMMENT}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return (
            Comment.objects.filter(assessment=self.assessment)
            .select_related("answer__requirement", "author")
            .order_by("created_at", "pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = CommentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requirement = data.get("requirement")
        comment = services.comment_add(
            assessment=self.assessment,
            answer=_answer_of(self.assessment, requirement) if requirement else None,
            evidence=data.get("evidence"),
            text=data["text"],
            actor=request.user,
        )
        return Response(
            CommentSerializer(self.get_queryset().get(pk=comment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the auditor's findings")),
    retrieve=extend_schema(summary=gettext_lazy("Read a finding")),
    create=extend_schema(
        summary=gettext_lazy("Record a finding"),
        request=FindingWriteSerializer,
        responses={201: FindingSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a finding"),
        request=FindingWriteSerializer(partial=True),
        responses={200: FindingSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("Delete a finding")),
)
class FindingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, AssessmentChildViewSet
):
    serializer_class = FindingSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_actions = {
        "create": Action.MANAGE_FINDINGS,
        "partial_update": Action.MANAGE_FINDINGS,
        "destroy": Action.MANAGE_FINDINGS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        return (
            Finding.objects.filter(assessment=self.assessment)
            .select_related("requirement", "created_by")
            .order_by("created_at", "pk")
        )

    def create(self, request, *args, **kwargs):
        data = self._valid()
        finding = services.finding_create(
            assessment=self.assessment, actor=request.user, **data
        )
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = self._valid(partial=True)
        finding = services.finding_update(
            finding=self.get_object(), actor=request.user, **data
        )
        return Response(FindingSerializer(finding).data)

    def destroy(self, request, *args, **kwargs):
        services.finding_delete(finding=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _valid(self, partial=False) -> dict:
        serializer = FindingWriteSerializer(
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
