"""Evidence items: upload, link and note, download, delete; and their links."""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from assessments import services, uploads
from assessments.api.renderers import PassthroughRenderer
from assessments.api.serializers.common import EmptyRequestSerializer
from assessments.api.serializers.evidence import (
    EvidenceCreateSerializer,
    EvidenceLinkCreateSerializer,
    EvidenceLinkSerializer,
    EvidenceSerializer,
)
from assessments.api.views.common import AssessmentChildViewSet, UploadLimitMixin
from assessments.models import Evidence, EvidenceKind, EvidenceLink
from assessments.permissions import Action

logger = logging.getLogger(__name__)


@extend_schema_view(
    list=extend_schema(summary=_("List the evidence items of an assessment")),
    retrieve=extend_schema(summary=_("Read an evidence item")),
    create=extend_schema(
        summary=_("Add a file, a link or a note as evidence"),
        description=_(
            "Send a file as multipart/form-data with kind=file; links and notes "
            "may be sent as JSON. Files are checked as on the pages: by their "
            "content, against the size limit, and against the files already in "
            "the assessment: the same file again is refused with the code "
            "duplicate, and the item holding it can be linked through the "
            "evidence links instead."
        ),
        request={
            "multipart/form-data": EvidenceCreateSerializer,
            "application/json": EvidenceCreateSerializer,
        },
        responses={201: EvidenceSerializer},
    ),
    destroy=extend_schema(summary=_("Delete an evidence item and its file")),
)
class EvidenceViewSet(
    UploadLimitMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    AssessmentChildViewSet,
):
    serializer_class = EvidenceSerializer
    required_actions = {
        "create": Action.MANAGE_EVIDENCE,
        "destroy": Action.MANAGE_EVIDENCE,
    }
    parser_classes = [MultiPartParser, JSONParser]
    error_statuses = {"create": {413}}
    upload_actions = frozenset({"create"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evidence.objects.none()
        return (
            Evidence.objects.filter(assessment=self.assessment)
            .select_related("created_by")
            .prefetch_related("links__answer__requirement")
            .order_by("title", "pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = EvidenceCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        self.check_upload_size()
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {
            "assessment": self.assessment,
            "title": data.get("title", ""),
            "description": data.get("description", ""),
            "effective_from": data.get("effective_from"),
            "requirement": data.get("requirement"),
            "actor": request.user,
        }

        if data["kind"] == EvidenceKind.FILE:
            evidence = services.evidence_add_file(uploaded=data["file"], **common)
        elif data["kind"] == EvidenceKind.LINK:
            evidence = services.evidence_add_link(url=data["url"], **common)
        else:
            evidence = services.evidence_add_note(note=data["note"], **common)
        evidence = self.get_queryset().get(pk=evidence.pk)
        return Response(
            EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request, *args, **kwargs):
        services.evidence_delete(evidence=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Download the file of an evidence item"),
        responses={(200, "*/*"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, PassthroughRenderer],
    )
    def download(self, request, *args, **kwargs):
        item = get_object_or_404(
            self.get_queryset(), pk=kwargs["pk"], kind=EvidenceKind.FILE
        )

        try:
            handle = uploads.stored_path(item.file_path).open("rb")
        except (OSError, ValueError):
            logger.warning("Stored file of evidence %s is missing", item.pk)
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=item.original_name or f"evidence-{item.pk}",
            content_type=item.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


@extend_schema_view(
    list=extend_schema(summary=_("List which evidence supports which requirement")),
    create=extend_schema(
        summary=_("Let an evidence item support a requirement"),
        request=EvidenceLinkCreateSerializer,
        responses={201: EvidenceLinkSerializer},
    ),
    destroy=extend_schema(summary=_("Stop an evidence item supporting a requirement")),
)
class EvidenceLinkViewSet(mixins.ListModelMixin, AssessmentChildViewSet):
    serializer_class = EvidenceLinkSerializer
    required_actions = {
        "create": Action.MANAGE_EVIDENCE,
        "destroy": Action.MANAGE_EVIDENCE,
        "reconfirm": Action.MANAGE_EVIDENCE,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EvidenceLink.objects.none()
        return (
            EvidenceLink.objects.filter(answer__assessment=self.assessment)
            .select_related(
                "evidence", "answer__requirement", "answer__assessment", "created_by"
            )
            .order_by("answer__requirement__sequence", "evidence__title", "pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = EvidenceLinkCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        link = services.evidence_attach(actor=request.user, **serializer.validated_data)
        link = self.get_queryset().get(pk=link.pk)
        return Response(
            EvidenceLinkSerializer(link).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request, *args, **kwargs):
        services.evidence_detach(link=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Confirm that carried-over evidence still supports the requirement"),
        request=None,
        responses={200: EvidenceLinkSerializer},
    )
    @action(detail=True, methods=["post"])
    def reconfirm(self, request, *args, **kwargs):
        link = self.get_object()
        EmptyRequestSerializer(data=request.data).is_valid(raise_exception=True)
        link = services.evidence_reconfirm(link=link, actor=request.user)
        return Response(EvidenceLinkSerializer(link).data)
