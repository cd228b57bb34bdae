"""PDF reports in the REST API: ask for one, follow it, download it.

Asking returns the report that stands for the assessment as it is now
(200), or queues a new rendering (202); the client then reads the report
until it is done or failed, and downloads the file. Rendering happens in a
Celery worker.
"""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from assessments.api.renderers import PassthroughRenderer
from assessments.api.serializers.common import StrictSerializer, UsernameField
from assessments.api.views.common import AssessmentChildViewSet
from reports import selectors, services, storage
from reports.models import Report

logger = logging.getLogger(__name__)


class ReportSerializer(serializers.ModelSerializer):
    number = serializers.CharField(
        read_only=True,
        help_text=_("The report's identifier as printed on its cover, R-000012."),
    )
    requested_by = UsernameField()
    pending = serializers.BooleanField(
        source="is_pending",
        read_only=True,
        help_text=_("Queued or rendering: read the report again later."),
    )
    download_url = serializers.SerializerMethodField(
        help_text=_("Where to fetch the PDF once it is done; null before.")
    )
    earlier_state = serializers.SerializerMethodField(
        help_text=_(
            "True when the report shows the assessment as it stood before a "
            "change, false when it shows it as it stands; null while queued "
            "or after a failure."
        )
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "number",
            "status",
            "pending",
            "error",
            "final",
            "page_count",
            "size",
            "sha256",
            "requested_by",
            "requested_at",
            "finished_at",
            "download_url",
            "earlier_state",
        ]
        read_only_fields = fields

    def get_earlier_state(self, report) -> bool | None:
        comparison = self.context.get("comparison")
        if comparison is None:
            return None
        return comparison.shows_earlier_state(report)

    def get_download_url(self, report) -> str | None:
        if not report.is_done:
            return None
        return reverse(
            "api:report-download",
            kwargs={"assessment_pk": report.assessment_id, "pk": report.pk},
        )


class ReportRequestSerializer(StrictSerializer):
    """The body of a request for a report: nothing, or an empty object."""


@extend_schema_view(
    list=extend_schema(summary=_("List the reports of an assessment")),
    retrieve=extend_schema(summary=_("Read how a report stands")),
    create=extend_schema(
        summary=_("Ask for a report of the assessment as it stands now"),
        description=_(
            "Answers 200 with the report already standing for the assessment's "
            "current state, done or still pending, or 202 with a new rendering "
            "queued."
        ),
        request=None,
        responses={200: ReportSerializer, 202: ReportSerializer},
    ),
)
class ReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, AssessmentChildViewSet
):
    serializer_class = ReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return Report.objects.filter(assessment=self.assessment).select_related(
            "requested_by"
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "assessment" in context:
            context["comparison"] = selectors.StateComparison(context["assessment"])
        return context

    def create(self, request, *args, **kwargs):
        ReportRequestSerializer(data=request.data).is_valid(raise_exception=True)
        asked = services.report_ask(assessment=self.assessment, actor=request.user)
        return Response(
            ReportSerializer(asked.report, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED if asked.made else status.HTTP_200_OK,
        )

    @extend_schema(
        summary=_("Ask again after a failed rendering"),
        description=_(
            "Only a failed report can be tried again; for any other the answer "
            "is 400 with the code not_failed. Ask for a report to get the one "
            "standing for the assessment as it is."
        ),
        request=None,
        responses={202: ReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        report = self.get_object()
        ReportRequestSerializer(data=request.data).is_valid(raise_exception=True)
        report = services.report_retry(report=report, actor=request.user)
        return Response(
            ReportSerializer(report, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary=_("Download the PDF of a finished report"),
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, PassthroughRenderer],
    )
    def download(self, request, *args, **kwargs):
        report = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not report.is_done:
            raise Http404

        try:
            handle = storage.stored_path(report.file_path).open("rb")
        except (OSError, ValueError):
            logger.warning("Stored file of report %s is missing", report.pk)
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=selectors.download_filename(report, self.assessment),
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
