"""Export and import through the API: assessment files and questionnaires.

The questionnaire workbook is applied as on the pages, in two steps, but
nothing is kept between them: the preview answers with the plan and its
digest, and applying sends the same workbook again with that digest. The
plan is worked out afresh from the workbook and the answers as they stand;
when it is no longer the one previewed, nothing is saved.
"""

import dataclasses
import logging
import tempfile

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from assessments.api.exceptions import Conflict, UploadTooLarge
from assessments.api.renderers import PassthroughRenderer
from assessments.api.serializers.interchange import (
    AssessmentImportCreateSerializer,
    AssessmentImportSerializer,
    QuestionnaireAppliedSerializer,
    QuestionnairePlanSerializer,
    WorkbookApplySerializer,
    WorkbookUploadSerializer,
)
from assessments.api.views.assessments import with_targets
from assessments.api.views.common import (
    AssessmentChildViewSet,
    OrganisationViewMixin,
    UploadLimitMixin,
)
from assessments.interchange import excel, json_io, selectors, services
from assessments.interchange.archive import (
    archive_too_large,
    max_archive_size,
    read_assessment_file,
    write_archive,
)
from assessments.interchange.csv_io import answers_csv
from assessments.interchange.errors import FileRefused, FileTooLarge
from assessments.models import Assessment
from assessments.permissions import Action

logger = logging.getLogger(__name__)

DOWNLOAD = [JSONRenderer, PassthroughRenderer]


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _refused(error: FileRefused) -> ValidationError:
    """Return the problems of a refused file as errors of the ``file`` field."""
    return ValidationError({"file": error.messages}, code="refused")


class ExportViewSet(AssessmentChildViewSet):
    """Downloads of an assessment, for everyone who may see it."""

    error_statuses = {"export_zip": {400}}

    @extend_schema(
        summary=gettext_lazy("Download the assessment file (JSON)"),
        description=gettext_lazy(
            "The whole assessment as the Export tab gives it, without its "
            "evidence files; the format is described in the portal's "
            "interchange documentation (FORMAT.md)."
        ),
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path="json", renderer_classes=DOWNLOAD)
    def export_json(self, request, *args, **kwargs):
        assessment = self.assessment

        content = json_io.dump(json_io.export_document(assessment))
        logger.info(
            "Assessment %s exported as JSON by user %s", assessment.pk, request.user.pk
        )
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        return _attachment(response, f"assessment-{assessment.pk}.json")

    @extend_schema(
        summary=gettext_lazy("Download the assessment archive (ZIP)"),
        description=gettext_lazy(
            "The assessment file with every evidence file. Refused, with the "
            "code refused, when a stored file is missing or no longer matches "
            "its SHA-256."
        ),
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="zip", renderer_classes=DOWNLOAD)
    def export_zip(self, request, *args, **kwargs):
        assessment = self.assessment

        # Closed by FileResponse once the archive has been sent.
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024**2)  # noqa: SIM115
        try:
            write_archive(assessment, spool)
        except FileRefused as error:
            spool.close()
            raise ValidationError(error.messages, code="refused") from None
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        logger.info(
            "Assessment %s exported as ZIP by user %s", assessment.pk, request.user.pk
        )
        response = FileResponse(spool, content_type="application/zip")
        return _attachment(response, f"assessment-{assessment.pk}.zip")

    @extend_schema(
        summary=gettext_lazy("Download the answers as CSV"),
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="csv", renderer_classes=DOWNLOAD)
    def export_csv(self, request, *args, **kwargs):
        response = HttpResponse(
            answers_csv(self.assessment), content_type="text/csv; charset=utf-8"
        )
        return _attachment(response, f"answers-{self.assessment.pk}.csv")

    @extend_schema(
        summary=gettext_lazy("Download the questionnaire workbook (Excel)"),
        description=gettext_lazy(
            "Fill it in offline, then send it to the questionnaire preview."
        ),
        responses={(200, excel.XLSX_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="xlsx", renderer_classes=DOWNLOAD)
    def export_xlsx(self, request, *args, **kwargs):
        response = HttpResponse(
            excel.questionnaire_workbook(self.assessment),
            content_type=excel.XLSX_TYPE,
        )
        return _attachment(response, f"questionnaire-{self.assessment.pk}.xlsx")


class QuestionnaireViewSet(UploadLimitMixin, AssessmentChildViewSet):
    """A filled-in workbook: preview what it changes, then apply it."""

    parser_classes = [MultiPartParser]
    required_actions = {"preview": Action.ANSWER, "apply": Action.ANSWER}
    upload_actions = frozenset({"preview", "apply"})
    error_statuses = {"preview": {413, 415}, "apply": {409, 413, 415}}

    @extend_schema(
        summary=gettext_lazy("Preview what a filled-in workbook would change"),
        description=gettext_lazy(
            "Saves nothing. The response lists the new, changed and conflicting "
            "answers, and the plan's digest to send when applying it. Each new "
            "or changed answer names under ``problem`` what would keep the "
            "assessment from being submitted once it is saved; ``absent`` lists "
            "the requirements the workbook has no row for."
        ),
        request={"multipart/form-data": WorkbookUploadSerializer},
        responses={200: QuestionnairePlanSerializer},
    )
    @action(detail=False, methods=["post"])
    def preview(self, request, *args, **kwargs):
        rows, _data = self._rows(WorkbookUploadSerializer)

        plan = selectors.questionnaire_plan(self.assessment, rows)
        return Response(QuestionnairePlanSerializer(plan).data)

    @extend_schema(
        summary=gettext_lazy("Apply a filled-in workbook as previewed"),
        description=gettext_lazy(
            "Send the same workbook as for the preview with its ``plan``. The "
            "new and changed answers are saved; conflicts are left as they are "
            "in the portal. When the answers changed since the preview, nothing "
            "is saved: the response is 409 with the code outdated, and "
            "``current`` holds the plan as it stands now."
        ),
        request={"multipart/form-data": WorkbookApplySerializer},
        responses={200: QuestionnaireAppliedSerializer},
    )
    @action(detail=False, methods=["post"])
    def apply(self, request, *args, **kwargs):
        rows, data = self._rows(WorkbookApplySerializer)

        try:
            plan = services.questionnaire_apply(
                assessment=self.assessment,
                rows=rows,
                expected=data["plan"],
                actor=request.user,
            )
        except services.PlanOutdated:
            current = selectors.questionnaire_plan(self.assessment, rows)
            raise Conflict(
                _(
                    "The plan sent is not this workbook's plan against the answers "
                    "as they are now: either the answers changed since the preview, "
                    "or the workbook or the plan is not the one previewed. Nothing "
                    "was saved; the plan as it stands now is under current."
                ),
                code="outdated",
                current=QuestionnairePlanSerializer(current).data,
            ) from None
        return Response(QuestionnaireAppliedSerializer(plan).data)

    def _rows(self, serializer_class):
        """Return the rows of the uploaded workbook, and the request's fields."""
        serializer = serializer_class(data=self.request.data)
        self.check_upload_size()
        if not self.assessment.is_editable:
            raise selectors.locked_error(self.assessment)
        serializer.is_valid(raise_exception=True)

        try:
            rows = excel.read_questionnaire(
                serializer.validated_data["file"], self.assessment
            )
        except FileRefused as error:
            logger.warning("Workbook for assessment %s refused", self.assessment.pk)
            raise _refused(error) from None
        return rows, serializer.validated_data


@extend_schema_view(
    create=extend_schema(
        summary=gettext_lazy("Import an assessment file as a new draft"),
        description=gettext_lazy(
            "Send a JSON assessment file, or a ZIP archive to bring the evidence "
            "files too, as multipart/form-data. Everything imported is recorded "
            "as written by you; the auditor's verdicts come in as comments and "
            "make no verified level. A file that cannot be imported is refused "
            "with the code refused and its problems under ``file``; nothing of "
            "it is kept."
        ),
        request={"multipart/form-data": AssessmentImportCreateSerializer},
        responses={201: AssessmentImportSerializer},
    ),
)
class AssessmentImportViewSet(
    UploadLimitMixin, OrganisationViewMixin, viewsets.GenericViewSet
):
    """Imports into an organisation, by its administrators."""

    parser_classes = [MultiPartParser]
    required_actions = {"create": Action.IMPORT_ASSESSMENT}
    upload_actions = frozenset({"create"})
    error_statuses = {"create": {413, 415}}

    def upload_limit(self) -> int:
        return max_archive_size()

    def too_large_message(self) -> str:
        return archive_too_large()

    def create(self, request, *args, **kwargs):
        serializer = AssessmentImportCreateSerializer(data=request.data)
        self.check_upload_size()
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        try:
            document, files = read_assessment_file(data["file"])
            result = services.assessment_import(
                organisation=self.organisation,
                document=document,
                files=files,
                with_reviews=data["with_reviews"],
                actor=request.user,
            )
        except FileTooLarge as error:
            raise UploadTooLarge(error.messages[0]) from None
        except FileRefused as error:
            logger.warning("Import into organisation %s refused", self.organisation.pk)
            raise _refused(error) from None
        fresh = with_targets(Assessment.objects.filter(pk=result.assessment.pk)).get()
        return Response(
            AssessmentImportSerializer(
                dataclasses.replace(result, assessment=fresh),
                context=self.get_serializer_context(),
            ).data,
            status=status.HTTP_201_CREATED,
        )
