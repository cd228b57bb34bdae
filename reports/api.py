"""PDF reports in the REST API: ask for one, follow it, download it.

Asking returns the report that stands for the assessment as it is now
(200), or queues a new rendering (202), or says that the task queue could
not be reached (503, the report failed); the client then reads the report
until it is no longer pending, and downloads the file. Rendering happens in
a Celery worker.
"""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from assessments.api.renderers import PassthroughRenderer
from assessments.api.serializers.common import EmptyRequestSerializer, UsernameField
from assessments.api.views.common import AssessmentChildViewSet
from reports import selectors, services, storage
from reports.models import Report

logger = logging.getLogger(__name__)


class PhaseField(serializers.ChoiceField):
    """The phase of a report, told from its record and the clock."""

    def __init__(self, **kwargs):
        choices = [phase.value for phase in selectors.Phase]
        super().__init__(choices=choices, source="*", read_only=True, **kwargs)

    def to_representation(self, report):
        return str(selectors.report_phase(report))


class ReportSerializer(serializers.ModelSerializer):
    number = serializers.CharField(
        read_only=True,
        help_text=_("The report's identifier as printed on its cover, R-000012."),
    )
    requested_by = UsernameField()
    phase = PhaseField(
        help_text=_(
            "How the report stands, as the report pages tell it: pending (queued "
            "or rendering); stalled (queued, and no worker took it within half "
            "a minute: the workers may be stopped or busy, and retry sends it "
            "again); retrying (the worker rendering it stopped, and the task "
            "queue will hand it to another worker); done; failed (error says "
            "why, and retry asks for it again); abandoned (the worker rendering "
            "it stopped and no other took it up; retry asks for it again). The "
            "status stays rendering while retrying or abandoned."
        )
    )
    pending = serializers.SerializerMethodField(
        help_text=_(
            "True while the report may still come without anyone acting: the "
            "phase is pending, stalled or retrying. Read the report again later."
        )
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
            "phase",
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

    def get_pending(self, report) -> bool:
        return selectors.is_waiting(report)

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


UNREACHABLE = OpenApiResponse(
    ReportSerializer,
    description=_(
        "The task queue could not be reached: the report is failed, and its "
        "error says so. Ask again in a few minutes."
    ),
)


@extend_schema_view(
    list=extend_schema(summary=_("List the reports of an assessment")),
    retrieve=extend_schema(summary=_("Read how a report stands")),
    create=extend_schema(
        summary=_("Ask for a report of the assessment as it stands now"),
        description=_(
            "Answers 200 with the report already standing for the assessment's "
            "current state, done or still pending, or 202 with a new rendering "
            "queued, or 503 with the report failed when the task queue could "
            "not be reached."
        ),
        request=None,
        responses={200: ReportSerializer, 202: ReportSerializer, 503: UNREACHABLE},
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
        EmptyRequestSerializer(data=request.data).is_valid(raise_exception=True)
        asked = services.report_ask(assessment=self.assessment, actor=request.user)
        return self._answer(
            asked,
            status.HTTP_202_ACCEPTED if asked.made else status.HTTP_200_OK,
        )

    @extend_schema(
        summary=_("Ask again for a failed report, or send a stalled one again"),
        description=_(
            "A failed or abandoned report is asked for again: the answer is the "
            "new report. A stalled one is sent to the workers again: the answer "
            "is the same report. For any other the answer is 400 with the code "
            "not_failed; ask for a report to get the one standing for the "
            "assessment as it is. 503 with the report failed when the task "
            "queue could not be reached."
        ),
        request=None,
        responses={202: ReportSerializer, 503: UNREACHABLE},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        report = self.get_object()
        EmptyRequestSerializer(data=request.data).is_valid(raise_exception=True)
        asked = services.report_retry(report=report, actor=request.user)
        return self._answer(asked, status.HTTP_202_ACCEPTED)

    def _answer(self, asked: services.Asked, code: int) -> Response:
        """Answer with the report asked for; 503 when the queue refused it."""
        if asked.unreachable:
            code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Response(
            ReportSerializer(asked.report, context=self.get_serializer_context()).data,
            status=code,
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
