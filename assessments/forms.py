"""Forms that parse what people type into the portal's pages.

They check the shape of the input only; the rules of the domain, and who
may do what, live in the services. So do the bounds of free texts and dates
(``assessments.services.limits``), which the API and the imports share.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from assessments.models import (
    DEFAULT_TARGET_LEVEL,
    AnswerStatus,
    Assessment,
    EvidenceKind,
    FindingKind,
    Role,
    Severity,
    Verdict,
)
from maturity.models import Framework

LEVEL_CHOICES = [(level, str(level)) for level in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date control reads and writes ISO dates only.
        super().__init__(attrs, format="%Y-%m-%d")


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Letters, digits and hyphens; used in the page addresses."),
    )


class PreviousAssessmentSelect(forms.Select):
    """The choice of a previous assessment, each option naming its version.

    An option's ``data-settles-to`` holds the version of the standard an
    assessment started from it gets, the latest of its standard; portal.js
    sets the version choice to it and locks that choice.
    """

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        # framework id -> id of the latest version of the same standard.
        self.latest_versions = {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        previous = getattr(value, "instance", None)
        if previous is not None:
            option["attrs"]["data-settles-to"] = self.latest_versions.get(
                previous.framework_id, ""
            )
        return option


def _previous_label(assessment) -> str:
    """Name an assessment to start from, told apart by its period and status."""
    return pgettext(
        "an assessment to start from: its title, period and status",
        "%(title)s (%(start)s – %(end)s, %(status)s)",
    ) % {
        "title": assessment.title,
        "start": assessment.period_start.isoformat(),
        "end": assessment.period_end.isoformat(),
        "status": assessment.get_status_display(),
    }


class AssessmentCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.CharField(
        label=_("Scope statement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("The business units, models and systems the assessment covers."),
    )
    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)
    # Needed only when starting empty: an assessment started from a previous
    # one gets the latest version of that one's standard.
    framework = forms.ModelChoiceField(
        label=_("Version of the standard"),
        queryset=Framework.objects.none(),
        required=False,
        empty_label=None,
        help_text=_(
            "When starting from a previous assessment, the latest version of "
            "its standard is used."
        ),
    )
    previous = forms.ModelChoiceField(
        label=_("Start from a previous assessment"),
        queryset=Assessment.objects.none(),
        required=False,
        empty_label=_("— start empty —"),
        widget=PreviousAssessmentSelect,
        help_text=_(
            "Answers, justifications, targets, evidence and, when the scope "
            "statement above is left blank, its scope are carried over; carried "
            "evidence must be reconfirmed."
        ),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.order_by(
            "-installed_at", "-pk"
        )
        frameworks = list(self.fields["framework"].queryset)
        latest = {}
        for framework in frameworks:
            latest.setdefault(framework.code, framework)
        self.latest_versions = {
            framework.pk: latest[framework.code] for framework in frameworks
        }
        previous = self.fields["previous"]
        previous.queryset = Assessment.objects.filter(
            organisation=organisation
        ).order_by("-period_end", "-pk")
        previous.widget.latest_versions = {
            pk: version.pk for pk, version in self.latest_versions.items()
        }
        previous.widget.attrs["data-settles"] = self["framework"].auto_id
        previous.label_from_instance = _previous_label

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))

        previous, framework = cleaned.get("previous"), cleaned.get("framework")
        if previous is not None:
            used = self.latest_versions[previous.framework_id]
            if framework is not None and framework != used:
                self.add_error(
                    "framework",
                    _(
                        "An assessment started from a previous one uses the latest "
                        "version of its standard, %(version)s. Choose that version, "
                        "or start empty."
                    )
                    % {"version": used},
                )
            else:
                cleaned["framework"] = used
        elif framework is None and not self.has_error("previous"):
            self.add_error(
                "framework", _("Choose the version of the standard to assess against.")
            )
        return cleaned


class AssessmentUpdateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.CharField(
        label=_("Scope statement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.modules = list(modules)
        for module in self.modules:
            self.fields[f"target_{module.code}"] = forms.TypedChoiceField(
                label=f"{module.code} {module.name}",
                choices=LEVEL_CHOICES,
                coerce=int,
                initial=DEFAULT_TARGET_LEVEL,
            )

    def target_fields(self):
        return [self[f"target_{module.code}"] for module in self.modules]

    def targets(self) -> dict[str, int]:
        return {m.code: self.cleaned_data[f"target_{m.code}"] for m in self.modules}


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("— not answered —")), *AnswerStatus.choices],
        required=False,
    )
    justification = forms.CharField(label=_("Justification"), required=False)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # What the page held at ``version``, sent by the autosave: the fields
    # that differ from it are those the person changed. Only compared, so
    # never refused.
    base_status = forms.CharField(required=False, widget=forms.HiddenInput)
    base_justification = forms.CharField(required=False, widget=forms.HiddenInput)

    def base(self) -> dict[str, str] | None:
        """Return the status and justification at ``version``, if the page sent them.

        Call it on a valid form.
        """
        names = ("status", "justification")
        if any(f"base_{name}" not in self.data for name in names):
            return None
        return {name: self.cleaned_data[f"base_{name}"] for name in names}


class AddressField(forms.URLField):
    """A web address; spaces pasted inside it, as in a file's name, are encoded.

    A browser's address bar takes ``…/AI policy.pdf`` and asks for
    ``…/AI%20policy.pdf``; so does the portal, rather than refusing it.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "%20")
        return super().to_python(value)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        initial=EvidenceKind.FILE,
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), required=False)
    url = AddressField(
        label=_("Address"), required=False, max_length=1000, assume_scheme="https"
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    effective_from = forms.DateField(
        label=_("Effective from"), required=False, widget=DateInput
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == EvidenceKind.FILE and self._missing("file"):
            self.add_error("file", _("Choose a file to upload."))
        elif kind == EvidenceKind.LINK and self._missing("url"):
            self.add_error("url", _("Enter the address of the document."))
        elif kind == EvidenceKind.NOTE and self._missing("note"):
            self.add_error("note", _("Write the note."))
        if kind in {EvidenceKind.LINK, EvidenceKind.NOTE} and self._missing("title"):
            self.add_error("title", _("Give the evidence item a title."))
        return cleaned

    def _missing(self, field: str) -> bool:
        # A field its own check refused, such as an empty file or a malformed
        # address, is absent from cleaned_data too; it already says why.
        if self.has_error(field):
            return False
        value = self.cleaned_data.get(field)
        return not (value.strip() if isinstance(value, str) else value)

    def show_refusal(self, errors: dict[str, list[str]]) -> None:
        """Show on this unbound form why an earlier submission was refused.

        Nothing is checked again: the file chosen then is gone, and some
        reasons came from the services rather than from the form.
        """
        self.cleaned_data = {}
        for field, messages in errors.items():
            self.add_error(field, messages)


class AttachExistingForm(forms.Form):
    evidence = forms.TypedChoiceField(label=_("Evidence item"), coerce=int)

    def __init__(self, *args, evidence_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [(pk, str(pk)) for pk in evidence_ids]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What the assessors need to fix"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MemberAddForm(forms.Form):
    identifier = forms.CharField(label=_("Username or e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class MemberCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    email = forms.EmailField(label=_("E-mail address"), required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AuditorGrantForm(forms.Form):
    identifier = forms.CharField(
        label=_("Auditor's username or e-mail address"), max_length=254
    )
    expires_on = forms.DateField(
        label=_("Last day of access"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for access until revoked."),
    )


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    # The version of the answer the auditor read; a verdict on a version
    # they have not seen is refused.
    answer_version = forms.IntegerField(
        required=False, min_value=1, widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Reason or question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "A rejection needs a reason; a request for information a question."
        ),
    )


class CommentForm(forms.Form):
    # "answer", or "evidence-<id>" for an evidence item of the answer.
    subject = forms.CharField(label=_("About"), max_length=40)
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))

    def evidence_id(self) -> int | None:
        """Return the id of the evidence item commented on, or None for the answer."""
        subject = self.cleaned_data["subject"]
        prefix, _sep, pk = subject.partition("-")
        if prefix == "evidence" and pk.isdigit():
            return int(pk)
        return None


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    requirement = forms.TypedChoiceField(
        label=_("Requirement"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Choose “the assessment as a whole” when the finding concerns no "
            "single requirement."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, requirement_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [
            ("", _("— the assessment as a whole —")),
            *requirement_choices,
        ]


def apply_errors(form, error) -> None:
    """Show a service's ValidationError on ``form``, on its fields where known."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
