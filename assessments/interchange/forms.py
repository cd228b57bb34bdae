"""Forms of the export and import pages; they check the shape of input only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.interchange.staging import UPLOAD_ID


class QuestionnaireUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in questionnaire (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet"
            }
        ),
    )


class ConfirmForm(forms.Form):
    # The upload the preview showed, one of those the session keeps.
    upload = forms.RegexField(regex=rf"^{UPLOAD_ID}\Z", widget=forms.HiddenInput)
    # The digest of the preview that was shown; compared, never trusted.
    plan = forms.RegexField(regex=r"^[0-9a-f]{64}\Z", widget=forms.HiddenInput)


class AssessmentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Assessment file (.json or .zip)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.zip,application/json,application/zip"}
        ),
    )
    with_reviews = forms.BooleanField(
        label=_(
            "Also import the auditor's verdicts (as comments), findings and comments"
        ),
        required=False,
        help_text=_(
            "They are recorded as imported by you. Each verdict becomes a comment "
            "on its answer and makes no verified level: the assessment stays not "
            "audited until an auditor of this portal reviews it."
        ),
    )
