"""The audit trail: every recorded change of an assessment, newest first.

django-simple-history keeps one row per version of each tracked model. A
page of the trail costs a fixed number of queries however long the trail
is: one to count, one to pick the page's versions across every table (each
with the version before it), one per table on the page, and one per kind of
name shown (users, requirements, modules, answers, evidence items). The page
of an assessment tells what it carried over from the one it was started from
as one entry; on the page, it costs three queries more (the answers, evidence
items and links it stands for), and the earlier assessment named two (its
title, and whether the reader may open it).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Paginator
from django.db import models
from django.db.models import (
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Lag
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import (
    EVIDENCE_ATTACHED,
    EVIDENCE_DETACHED,
    HOLDS_EVIDENCE,
    Answer,
    Assessment,
    AssessmentTarget,
    AuditorGrant,
    Comment,
    Evidence,
    EvidenceLink,
    Finding,
    Membership,
    Review,
)
from assessments.permissions import assessments_visible_to
from assessments.selectors.people import person_name
from assessments.selectors.questionnaire import questionnaire_url
from maturity.catalogues import get_catalogue, get_requirement_codes
from maturity.models import Module, Requirement

# The change reason of the rows recorded when history began to be kept.
BASELINE = "baseline"
# Change reasons of versions made to record an event rather than a change of
# fields: an assessment's first version when it was imported from a file, a
# membership's version when the member's lockout after failed logins was
# lifted, an assessment's version when the draft it was started from was
# deleted.
IMPORTED = "imported"
LOCKED_OUT = "locked-out"
LOCKOUT_LIFTED = "lockout-lifted"
PREVIOUS_DELETED = "previous-deleted"
# The change reason of the answers a new assessment carries over from the one
# it was started from. The evidence items and links it carries say so by their
# fields: an item's ``carried_from``, a link to such an item made needing
# reconfirmation.
CARRIED_OVER = "carried-over"
# The reasons a summary tells in words.
TOLD_REASONS = frozenset({IMPORTED, LOCKED_OUT, LOCKOUT_LIFTED, PREVIOUS_DELETED})
PAGE_SIZE = 50

CREATED, CHANGED, DELETED = "+", "~", "-"
# The kind and the action of the entry standing for everything an assessment
# carried over, which the page lists beside the assessment's creation.
CARRIED = "carried"

# How much of a long value the table shows before offering the rest.
PREVIEW_CHARACTERS = 300
PREVIEW_LINES = 8


@dataclass(frozen=True)
class Track:
    """A tracked model: the fields shown and how its rows belong to a scope."""

    kind: str
    model: type[models.Model]
    fields: tuple[str, ...]
    scope: Callable[[models.Model], Q]
    # Matches the versions an assessment made carrying rows over from the one
    # it was started from; None for the models nothing is carried over of.
    carried: Callable[[models.Model], Q] | None = None


@dataclass(frozen=True)
class FieldChange:
    """One field of a change: its label, the value before and after."""

    label: str
    # None when the value before is not known: the row changed before its
    # history was kept.
    old: str | None
    # None for a row deleted: ``old`` holds what it was.
    new: str | None

    @property
    def old_preview(self) -> str | None:
        return preview(self.old) if self.old is not None else None

    @property
    def new_preview(self) -> str | None:
        return preview(self.new) if self.new is not None else None

    @property
    def old_is_long(self) -> bool:
        return self.old is not None and self.old_preview != self.old

    @property
    def new_is_long(self) -> bool:
        return self.new is not None and self.new_preview != self.new


def preview(text: str) -> str:
    """Return the start of ``text`` with an ellipsis when the table cannot show all.

    Texts stored before their length was limited reach 20,000 characters;
    the history shows their start and offers the rest on request.
    """
    shown = text[:PREVIEW_CHARACTERS]
    lines = shown.split("\n")
    if len(lines) > PREVIEW_LINES:
        shown = "\n".join(lines[:PREVIEW_LINES])
    if shown == text:
        return text
    return shown.rstrip() + "…"


@dataclass
class Reference:
    """An assessment a change names, with its address if the reader may open it."""

    pk: int
    title: str
    url: str = ""

    @property
    def link(self) -> str:
        """Return the title as a link to the assessment, or as text."""
        if not self.url:
            return self.title
        return format_html('<a href="{}">{}</a>', self.url, self.title)


@dataclass(frozen=True)
class CarriedPart:
    """One kind of row carried over: how many, in words, and which."""

    # The kind of the rows, as in :attr:`Change.kind`: answer, evidence, link.
    kind: str
    label: str
    # Each row's name, a requirement code or an item's title, with the codes
    # of the requirements it supports, for the links of an evidence item.
    items: list[tuple[str, list[str]]]


@dataclass
class Change:
    """One recorded change: who made it, when, to what, and which fields."""

    when: datetime
    # The author of the change; None when the history does not know them.
    user: AbstractBaseUser | None
    kind: str
    action: str
    subject: str
    url: str = ""
    reason: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    # What happened, in words, where the fields alone do not say it: an
    # evidence item attached, an answer's new version after its evidence
    # changed.
    summary: str = ""
    # True when the portal itself made the change, locking an account out
    # after failed logins; no person is its author.
    by_portal: bool = False
    # The earlier assessment a new one was started from, on its creation and
    # on the entry of what it carried over.
    started_from: Reference | None = None
    # What an assessment carried over from the one it was started from, when
    # the entry stands for all of it.
    carried: list[CarriedPart] = field(default_factory=list)

    @property
    def who(self) -> str:
        """Return the author's username, or an empty text when unknown."""
        return self.user.get_username() if self.user is not None else ""

    @property
    def action_name(self) -> str:
        return {
            CREATED: "created",
            CHANGED: "changed",
            DELETED: "deleted",
            CARRIED: "carried",
        }[self.action]

    @property
    def action_label(self) -> str:
        return {
            CREATED: _("created"),
            CHANGED: _("changed"),
            DELETED: _("deleted"),
            CARRIED: _("carried over"),
        }[self.action]


def _answers_of(assessment) -> Q:
    return Q(answer_id__in=Answer.objects.filter(assessment=assessment).values("pk"))


def _carried_evidence(assessment) -> Q:
    return Q(
        assessment_id=assessment.pk,
        history_type=CREATED,
        carried_from_id__isnull=False,
    )


def _carried_links(assessment) -> Q:
    # An import may make links needing reconfirmation too, but not to an
    # item carried over.
    carried_evidence = Evidence.history.filter(_carried_evidence(assessment))
    return _answers_of(assessment) & Q(
        history_type=CREATED,
        needs_reconfirmation=True,
        evidence_id__in=carried_evidence.values("id"),
    )


def _newest(model, condition: Q) -> Subquery:
    """Return the moment of the newest version of ``model`` matching ``condition``."""
    return Subquery(
        model.history.filter(condition)
        .order_by("-history_date")
        .values("history_date")[:1]
    )


def _carried_answers(assessment) -> Q:
    """Match the first versions of the answers carried over into ``assessment``.

    Answers carried before their versions were given a change reason are
    known by their moment: the carry-over writes them in the transaction
    that creates the assessment, before the evidence it carries, so no
    answer written by a person can be older than that evidence.
    """
    carried_later = Exists(
        Evidence.history.filter(
            _carried_evidence(assessment), history_date__gte=OuterRef("history_date")
        )
    ) | Exists(
        EvidenceLink.history.filter(
            _carried_links(assessment), history_date__gte=OuterRef("history_date")
        )
    )
    return Q(assessment_id=assessment.pk, history_type=CREATED) & (
        Q(history_change_reason=CARRIED_OVER)
        | (
            (Q(history_change_reason__isnull=True) | Q(history_change_reason=""))
            & carried_later
        )
    )


ASSESSMENT_TRACKS = (
    Track(
        "assessment",
        Assessment,
        (
            "title",
            "scope",
            "period_start",
            "period_end",
            "status",
            "finalised_at",
            "self_scores",
            "verified_scores",
        ),
        lambda assessment: Q(id=assessment.pk),
    ),
    Track(
        "target",
        AssessmentTarget,
        ("level",),
        lambda assessment: Q(assessment_id=assessment.pk),
    ),
    Track(
        "answer",
        Answer,
        ("status", "justification"),
        lambda assessment: Q(assessment_id=assessment.pk),
        _carried_answers,
    ),
    Track(
        "evidence",
        Evidence,
        (
            "kind",
            "title",
            "description",
            "effective_from",
            "url",
            "note",
            "original_name",
            "size",
            "sha256",
        ),
        lambda assessment: Q(assessment_id=assessment.pk),
        _carried_evidence,
    ),
    Track(
        "link",
        EvidenceLink,
        ("needs_reconfirmation",),
        _answers_of,
        _carried_links,
    ),
    Track("review", Review, ("verdict", "comment", "answer_version"), _answers_of),
    Track(
        "comment",
        Comment,
        ("text",),
        lambda assessment: Q(assessment_id=assessment.pk),
    ),
    Track(
        "finding",
        Finding,
        ("requirement", "kind", "severity", "title", "description"),
        lambda assessment: Q(assessment_id=assessment.pk),
    ),
    Track(
        "grant",
        AuditorGrant,
        ("expires_on", "revoked_at"),
        lambda assessment: Q(assessment_id=assessment.pk),
    ),
)


def _imported_or_deleted(organisation) -> Q:
    """Match the versions of assessments imported into or deleted from it.

    The other changes of an assessment are in its own history; a deleted
    draft has no page left to show them.
    """
    return Q(organisation_id=organisation.pk) & (
        Q(history_type=DELETED) | Q(history_change_reason=IMPORTED)
    )


ORGANISATION_TRACKS = (
    Track(
        "membership",
        Membership,
        ("role",),
        lambda organisation: Q(organisation_id=organisation.pk),
    ),
    Track(
        "assessment",
        Assessment,
        ("title", "period_start", "period_end"),
        _imported_or_deleted,
    ),
)


# Stands for the versions an assessment made carrying rows over, in the trail
# of versions: the assessment's first version, dated by the newest of them.
CARRIED_TRACK = Track(CARRIED, Assessment, (), lambda assessment: Q())


def assessment_history(
    assessment, page_number=1, *, carry_over_as_one=False, viewer=None
):
    """Return one page of the changes of ``assessment`` and everything in it.

    The page is a Django ``Page`` whose ``object_list`` holds
    :class:`Change` rows, newest first. With ``carry_over_as_one``, what the
    assessment carried over from the one it was started from is one entry,
    listing what it holds, rather than a version each. With ``viewer``, the
    earlier assessment named links to its page if ``viewer`` may open it.
    """
    return _history(
        assessment,
        ASSESSMENT_TRACKS,
        page_number,
        assessment,
        carry_over_as_one=carry_over_as_one,
        viewer=viewer,
    )


def organisation_history(organisation, page_number=1):
    """Return one page of the changes of ``organisation``.

    Its memberships, lockouts lifted, and assessments imported or deleted.
    """
    return _history(organisation, ORGANISATION_TRACKS, page_number, None)


def _versions(scope, tracks, carry_over_as_one):
    """Return (history_id, date, previous history_id, kind) over ``tracks``.

    With ``carry_over_as_one``, the versions carrying rows over are left out
    and one version of kind :data:`CARRIED` stands for them all.
    """
    parts = []
    for track in tracks:
        historical = track.model.history.model
        versions = historical.objects.filter(track.scope(scope)).exclude(
            history_change_reason=BASELINE
        )
        if carry_over_as_one and track.carried is not None:
            versions = versions.exclude(track.carried(scope))
        parts.append(
            versions.annotate(
                trail_version=F("history_id"),
                trail_at=F("history_date"),
                trail_previous=Window(
                    Lag("history_id"),
                    partition_by=[F("id")],
                    order_by=[F("history_date").asc(), F("history_id").asc()],
                ),
                trail_kind=Value(track.kind, output_field=CharField()),
            )
            .values_list("trail_version", "trail_at", "trail_previous", "trail_kind")
            .order_by()
        )
    if carry_over_as_one:
        parts.append(_carry_over_version(scope))
    first, *rest = parts
    return first.union(*rest, all=True).order_by(
        "-trail_at", "-trail_kind", "-trail_version"
    )


def _carry_over_version(assessment):
    """Return the version standing for what ``assessment`` carried over, if any."""
    carried = [
        (track.model, track.carried(assessment))
        for track in ASSESSMENT_TRACKS
        if track.carried is not None
    ]
    return (
        Assessment.history.filter(id=assessment.pk, history_type=CREATED)
        .filter(
            reduce(
                or_,
                [
                    Exists(model.history.filter(condition))
                    for model, condition in carried
                ],
            )
        )
        .annotate(
            trail_version=F("history_id"),
            # SQLite's greatest of several values is null if any is: the
            # assessment's creation, older than anything it carried, stands
            # in for a kind it carried none of.
            trail_at=Greatest(
                *[
                    Coalesce(_newest(model, condition), F("history_date"))
                    for model, condition in carried
                ]
            ),
            trail_previous=Value(None, output_field=IntegerField()),
            trail_kind=Value(CARRIED, output_field=CharField()),
        )
        .values_list("trail_version", "trail_at", "trail_previous", "trail_kind")
        .order_by()
    )


def _history(
    scope, tracks, page_number, assessment, *, carry_over_as_one=False, viewer=None
):
    """Return a page of changes within ``scope``; ``assessment`` adds links."""
    track_of = {track.kind: track for track in tracks}
    if carry_over_as_one:
        track_of[CARRIED] = CARRIED_TRACK
    paginator = Paginator(_versions(scope, tracks, carry_over_as_one), PAGE_SIZE)
    page = paginator.get_page(page_number)
    rows = list(page.object_list)

    records = _records(rows, track_of, scope if carry_over_as_one else None)
    names = _Names()
    entries = []
    for version, at, previous, kind in rows:
        record = records[kind].get(version)
        if record is None:
            continue
        before = records[kind].get(previous) if previous else None
        if before is None and record.history_type == CHANGED:
            before = records[kind].get(("left out", record.id))
        entries.append((kind, at, record, before))
        names.note(record, before)
        if kind == "answer":
            names.note_evidence(_evidence_reason(record)[1])
        if kind in {"assessment", CARRIED}:
            names.note_assessment(record.previous_id)
    names.load()

    areas = {}
    if assessment is not None:
        catalogue = get_catalogue(assessment.framework_id)
        areas = {ref.code: ref.area for ref in catalogue.requirements}
    changes = []
    for kind, at, record, before in entries:
        if kind == CARRIED:
            changes.append(_carry_over_change(record, at, names, assessment))
        else:
            changes.append(
                _change(track_of[kind], record, before, names, assessment, areas)
            )
    _link_started_from(changes, viewer)
    page.object_list = changes
    return page


def _records(rows, tracks, carried_into=None) -> dict[str, dict]:
    """Return kind -> history_id -> historical row, for the page; one query a kind.

    A change whose previous version is left out of the trail, the baseline
    or, for ``carried_into``, the version that carried its row over, finds
    that version keyed by ``("left out", id)`` as well.
    """
    wanted = defaultdict(set)
    for version, _at, previous, kind in rows:
        wanted[kind].add(version)
        if previous:
            wanted[kind].add(previous)
    found = {kind: {} for kind in tracks}
    for kind, ids in wanted.items():
        track = tracks[kind]
        historical = track.model.history.model
        page_ids = [version for version, _a, _p, k in rows if k == kind]
        object_ids = historical.objects.filter(history_id__in=page_ids).values("id")
        left_out = Q(history_change_reason=BASELINE)
        if carried_into is not None and track.carried is not None:
            left_out |= track.carried(carried_into)
        for record in historical.objects.filter(
            Q(history_id__in=ids) | (Q(id__in=object_ids) & left_out)
        ).select_related("history_user"):
            # The trail holds none of the versions it leaves out.
            if record.history_id not in ids:
                found[kind][("left out", record.id)] = record
            found[kind][record.history_id] = record
    return found


# The key of the assessments a page names by title. Not the model itself:
# every answer, evidence item and comment refers to its assessment, which
# goes without saying on the assessment's own page.
ASSESSMENT_TITLE = "assessment title"


class _Names:
    """The names shown for ids in a page of changes, read in one query a kind."""

    def __init__(self):
        self.ids = defaultdict(set)
        self.names = defaultdict(dict)

    def note(self, record, before) -> None:
        for row in (record, before):
            if row is None:
                continue
            for field_ in row._meta.concrete_fields:
                if (
                    isinstance(field_, models.ForeignKey)
                    and field_.name != "history_user"
                ):
                    value = getattr(row, field_.attname)
                    if value is not None:
                        self.ids[field_.related_model].add(value)

    def note_evidence(self, pk) -> None:
        if pk is not None:
            self.ids[Evidence].add(pk)

    def note_assessment(self, pk) -> None:
        """Note an assessment named by its title, such as one started from."""
        if pk is not None:
            self.ids[ASSESSMENT_TITLE].add(pk)

    def load(self) -> None:
        user_model = get_user_model()
        lookups = {
            # People by the name the pages show them by.
            user_model: lambda ids: [
                (user.pk, person_name(user))
                for user in user_model.objects.filter(pk__in=ids)
            ],
            Requirement: lambda ids: Requirement.objects.filter(pk__in=ids).values_list(
                "pk", "code"
            ),
            Module: lambda ids: Module.objects.filter(pk__in=ids).values_list(
                "pk", "code"
            ),
            Answer: lambda ids: Answer.objects.filter(pk__in=ids).values_list(
                "pk", "requirement__code"
            ),
            # Deleted items keep their title in their history.
            Evidence: lambda ids: (
                Evidence.history.filter(id__in=ids)
                .order_by("history_date", "history_id")
                .values_list("id", "title")
            ),
            # So do deleted assessments; the latest title wins.
            ASSESSMENT_TITLE: lambda ids: (
                Assessment.history.filter(id__in=ids)
                .order_by("history_date", "history_id")
                .values_list("id", "title")
            ),
        }
        for model, lookup in lookups.items():
            if self.ids.get(model):
                self.names[model].update(lookup(self.ids[model]))

    def of(self, model, pk) -> str:
        if pk is None:
            return ""
        return str(self.names[model].get(pk, f"#{pk}"))


def _changed_fields(track, record, before) -> list[tuple[models.Field, object]]:
    """Return the shown fields of ``record`` that differ from ``before``.

    Each comes with its value before. A new row lists the fields it was
    created with a value in; a deleted row those it had a value in when it
    was deleted, which its last version holds.
    """
    if record.history_type == DELETED:
        return [
            (model_field, getattr(record, model_field.attname))
            for model_field in map(track.model._meta.get_field, track.fields)
            if getattr(record, model_field.attname) not in (None, "", False)
        ]
    changed = []
    for name in track.fields:
        model_field = track.model._meta.get_field(name)
        new = getattr(record, model_field.attname)
        old = getattr(before, model_field.attname) if before is not None else None
        if before is not None and old == new:
            continue
        if (
            before is None
            and new in (None, "", False)
            and record.history_type == CREATED
        ):
            continue
        changed.append((model_field, old))
    return changed


def _evidence_reason(record) -> tuple[str, int | None]:
    """Return the reason an answer's version was made for, and its evidence item.

    ("", None) when the version gives none of the reasons about evidence.
    """
    code, _colon, evidence_id = (record.history_change_reason or "").partition(":")
    if code not in {HOLDS_EVIDENCE, EVIDENCE_ATTACHED, EVIDENCE_DETACHED}:
        return "", None
    return code, int(evidence_id) if evidence_id.isdigit() else None


def _change(track, record, before, names, assessment, areas) -> Change:
    change = Change(
        when=record.history_date,
        user=record.history_user,
        kind=track.kind,
        action=record.history_type,
        subject=_subject(track.kind, record, names),
        url=_url(track.kind, record, names, assessment, areas),
        reason=_reason(track.kind, record),
        by_portal=(
            record.history_user_id is None
            and record.history_change_reason == LOCKED_OUT
        ),
    )
    if (
        track.kind == "assessment"
        and record.history_type == CREATED
        and record.previous_id is not None
    ):
        change.started_from = _started_from(record, names)
    changed = _changed_fields(track, record, before)
    for model_field, old in changed:
        new = getattr(record, model_field.attname)
        if record.history_type == DELETED:
            shown_old, shown_new = _display(model_field, old, names), None
        else:
            shown_old = (
                _display(model_field, old, names) if before is not None else None
            )
            shown_new = _display(model_field, new, names)
        change.fields.append(
            FieldChange(
                label=str(model_field.verbose_name), old=shown_old, new=shown_new
            )
        )
    change.summary = _summary(
        track.kind,
        record,
        before,
        {model_field.name for model_field, _old in changed},
        names,
    )
    return change


def _reason(kind, record) -> str:
    """Return the change reason of ``record``, unless its summary tells it."""
    reason = record.history_change_reason or ""
    if reason in TOLD_REASONS:
        return ""
    if kind == "answer" and _evidence_reason(record)[0]:
        return ""
    return reason


def _display(model_field, value, names) -> str:
    """Return ``value`` of ``model_field`` as a person would read it."""
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.ForeignKey):
        return names.of(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.JSONField):
        return _("recorded")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _subject(kind, record, names) -> str:
    """Return what a change was made to, e.g. "Answer to STR-1.1"."""
    user_model = get_user_model()
    if kind == "assessment":
        return _("Assessment “%(title)s”") % {"title": record.title}
    if kind == "target":
        return _("Target level of %(module)s") % {
            "module": names.of(Module, record.module_id)
        }
    if kind == "answer":
        return _("Answer to %(code)s") % {
            "code": names.of(Requirement, record.requirement_id)
        }
    if kind == "evidence":
        return _("Evidence item “%(title)s”") % {"title": record.title}
    if kind == "link":
        return _("Evidence “%(title)s” supporting %(code)s") % {
            "title": names.of(Evidence, record.evidence_id),
            "code": names.of(Answer, record.answer_id),
        }
    if kind == "review":
        return _("Verdict on %(code)s") % {"code": names.of(Answer, record.answer_id)}
    if kind == "comment":
        if record.answer_id is not None:
            return _("Comment on %(code)s") % {
                "code": names.of(Answer, record.answer_id)
            }
        return _("Comment on evidence “%(title)s”") % {
            "title": names.of(Evidence, record.evidence_id)
        }
    if kind == "finding":
        return _("Finding “%(title)s”") % {"title": record.title}
    if kind == "grant":
        return _("Auditor access of %(user)s") % {
            "user": names.of(user_model, record.user_id)
        }
    return _("Membership of %(user)s") % {"user": names.of(user_model, record.user_id)}


def _summary(kind, record, before, changed, names) -> str:
    """Return what a change did, in words, where its fields do not say it.

    ``changed`` names the fields the change shows.
    """
    action = record.history_type
    if kind == "link":
        return _link_summary(record, before, names)
    if kind == "answer" and not changed and action != DELETED:
        return _answer_summary(record, names)
    if kind == "review" and action == CHANGED and changed == {"answer_version"}:
        return _(
            "The same verdict given again, on version %(version)s of the answer."
        ) % {"version": record.answer_version}
    if kind == "grant" and action == CREATED:
        if record.expires_on is None:
            return _("Granted access to audit the assessment, with no end date.")
        return _("Granted access to audit the assessment.")
    if kind == "grant" and "revoked_at" in changed and record.revoked_at is not None:
        return _("Revoked the access.")
    if kind == "assessment" and action == CREATED and record.previous_id is not None:
        return _("Started from “%(title)s”.") % {
            "title": names.of(ASSESSMENT_TITLE, record.previous_id)
        }
    if kind == "assessment" and record.history_change_reason == PREVIOUS_DELETED:
        return _(
            "The draft this assessment was started from was deleted; its answers "
            "and evidence here stay."
        )
    if kind == "assessment" and action == CHANGED and not changed:
        return _("Saved the settings; the title, scope and period stayed the same.")
    if kind == "assessment" and record.history_change_reason == IMPORTED:
        return _("Imported from an assessment file, as a draft.")
    if kind == "assessment" and action == DELETED:
        return _("Deleted the draft with its answers and evidence.")
    if (
        kind in {"membership", "grant"}
        and record.history_change_reason == LOCKOUT_LIFTED
    ):
        return _("Lifted the lockout after too many failed logins.")
    if kind in {"membership", "grant"} and record.history_change_reason == LOCKED_OUT:
        return _(
            "Locked out after too many failed logins; an administrator can lift "
            "the lockout."
        )
    return ""


def _link_summary(record, before, names) -> str:
    """Return what became of the link between an evidence item and an answer."""
    values = {
        "title": names.of(Evidence, record.evidence_id),
        "code": names.of(Answer, record.answer_id),
    }
    if record.history_type == DELETED:
        return _("Detached evidence “%(title)s” from %(code)s.") % values
    if record.history_type == CREATED and record.needs_reconfirmation:
        return (
            _("Attached evidence “%(title)s” to %(code)s, to be reconfirmed.") % values
        )
    if record.history_type == CREATED:
        return _("Attached evidence “%(title)s” to %(code)s.") % values
    if before is not None and before.needs_reconfirmation > record.needs_reconfirmation:
        return (
            _("Reconfirmed that evidence “%(title)s” still supports %(code)s.") % values
        )
    return ""


def _answer_summary(record, names) -> str:
    """Return why an answer has a version whose status and justification say nothing."""
    reason, evidence_id = _evidence_reason(record)
    title = {"title": names.of(Evidence, evidence_id)}
    if reason == HOLDS_EVIDENCE:
        return _("Created without a status, to hold evidence “%(title)s”.") % title
    if record.history_type == CREATED:
        return _("Created without a status.")
    if reason == EVIDENCE_ATTACHED:
        return (
            _("New version of the answer after evidence “%(title)s” was attached.")
            % title
        )
    if reason == EVIDENCE_DETACHED:
        return (
            _("New version of the answer after evidence “%(title)s” was detached.")
            % title
        )
    return _("New version of the answer, with the same status and justification.")


def _url(kind, record, names, assessment, areas) -> str:
    """Return the questionnaire address of the requirement a change concerns."""
    if assessment is None:
        return ""
    if kind in {"answer", "finding"}:
        code = names.of(Requirement, record.requirement_id)
    elif kind in {"link", "review", "comment"} and record.answer_id is not None:
        code = names.of(Answer, record.answer_id)
    else:
        return ""
    area = areas.get(code)
    if area is None:
        return ""
    return f"{questionnaire_url(assessment.pk, area)}#{code}"


def _started_from(record, names) -> Reference:
    """Return the assessment the first version ``record`` was started from."""
    return Reference(
        pk=record.previous_id, title=names.of(ASSESSMENT_TITLE, record.previous_id)
    )


def _carry_over_change(record, at, names, assessment) -> Change:
    """Return the entry for what ``assessment`` carried over when it was created.

    ``record`` is the assessment's first version. Runs three queries: the
    answers, evidence items and links carried.
    """
    codes = get_requirement_codes(assessment.framework_id)
    order = {
        ref.code: index
        for index, ref in enumerate(get_catalogue(assessment.framework_id).requirements)
    }
    answers = {
        pk: codes.get(requirement_id, f"#{requirement_id}")
        for pk, requirement_id in Answer.history.filter(
            _carried_answers(assessment)
        ).values_list("id", "requirement_id")
    }
    evidence = dict(
        Evidence.history.filter(_carried_evidence(assessment)).values_list(
            "id", "title"
        )
    )
    links = list(
        EvidenceLink.history.filter(_carried_links(assessment)).values_list(
            "evidence_id", "answer_id"
        )
    )

    def in_catalogue_order(code):
        return (order.get(code, len(order)), code)

    # An item supports many requirements: the links are read item by item.
    supported = defaultdict(list)
    for evidence_id, answer_id in links:
        supported[evidence_id].append(answers.get(answer_id, f"#{answer_id}"))

    parts = []
    if answers:
        parts.append(
            CarriedPart(
                kind="answer",
                label=ngettext("%(count)s answer", "%(count)s answers", len(answers))
                % {"count": len(answers)},
                items=[
                    (code, [])
                    for code in sorted(answers.values(), key=in_catalogue_order)
                ],
            )
        )
    if evidence:
        parts.append(
            CarriedPart(
                kind="evidence",
                label=ngettext(
                    "%(count)s evidence item", "%(count)s evidence items", len(evidence)
                )
                % {"count": len(evidence)},
                items=[
                    (title, []) for title in sorted(evidence.values(), key=str.casefold)
                ],
            )
        )
    if links:
        parts.append(
            CarriedPart(
                kind="link",
                label=ngettext(
                    "%(count)s evidence link, to be reconfirmed",
                    "%(count)s evidence links, to be reconfirmed",
                    len(links),
                )
                % {"count": len(links)},
                items=[
                    (title, sorted(codes, key=in_catalogue_order))
                    for title, codes in sorted(
                        (
                            (evidence.get(pk, f"#{pk}"), codes)
                            for pk, codes in supported.items()
                        ),
                        key=lambda item: item[0].casefold(),
                    )
                ],
            )
        )
    started_from = _started_from(record, names)
    return Change(
        when=at,
        user=record.history_user,
        kind=CARRIED,
        action=CARRIED,
        subject=_("Answers and evidence from “%(title)s”")
        % {"title": started_from.title},
        summary=_("Carried over when this assessment was started from it:"),
        started_from=started_from,
        carried=parts,
    )


def _link_started_from(changes, viewer) -> None:
    """Link the assessments ``changes`` were started from that ``viewer`` may open.

    Runs one query when the page names any.
    """
    named = {change.started_from.pk for change in changes if change.started_from}
    if viewer is None or not named:
        return
    visible = set(
        assessments_visible_to(viewer).filter(pk__in=named).values_list("pk", flat=True)
    )
    for change in changes:
        started_from = change.started_from
        if started_from is None or started_from.pk not in visible:
            continue
        started_from.url = reverse(
            "assessments:assessment-detail", kwargs={"pk": started_from.pk}
        )
        if change.kind == CARRIED:
            change.url = started_from.url
