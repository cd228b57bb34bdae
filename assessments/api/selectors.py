"""Reads of the API that the pages do not need: answer rows, actions, tokens."""

from dataclasses import dataclass

from django.db.models import Prefetch

from assessments.api.models import PersonalToken
from assessments.models import Answer, Assessment, EvidenceLink, Review
from assessments.permissions import Action, can_now
from assessments.services import TRANSITIONS, transition_allowed
from maturity.models import Requirement

# The actions of assessments.permissions that concern one assessment.
ASSESSMENT_ACTIONS = (
    Action.VIEW,
    Action.EDIT,
    Action.ANSWER,
    Action.MANAGE_EVIDENCE,
    Action.SUBMIT,
    Action.REVIEW,
    Action.MANAGE_AUDITORS,
    Action.START_FROM,
    Action.RECORD_VERDICT,
    Action.MANAGE_FINDINGS,
    Action.COMMENT,
    Action.VIEW_HISTORY,
)


@dataclass
class AnswerItem:
    """A requirement with its answer, which does not exist until first saved."""

    requirement: Requirement
    answer: Answer | None

    @property
    def links(self) -> list[EvidenceLink]:
        if self.answer is None or self.answer.pk is None:
            return []
        return list(self.answer.evidence_links.all())

    @property
    def review(self) -> Review | None:
        if self.answer is None or self.answer.pk is None:
            return None
        try:
            return self.answer.review
        except Review.DoesNotExist:
            return None


def requirements_of(assessment, *, module=None, stage=None, level=None, status=None):
    """Return the requirements of the assessment's framework, in source order."""
    requirements = Requirement.objects.filter(
        framework_id=assessment.framework_id
    ).select_related("module", "stage")
    if module:
        requirements = requirements.filter(module__code=module)
    if stage:
        requirements = requirements.filter(stage__code=stage)
    if level:
        requirements = requirements.filter(level=level)
    if status:
        answered = Answer.objects.filter(assessment=assessment).exclude(status="")
        if status == "unanswered":
            requirements = requirements.exclude(
                pk__in=answered.values("requirement_id")
            )
        else:
            requirements = requirements.filter(
                pk__in=answered.filter(status=status).values("requirement_id")
            )
    return requirements.order_by("sequence")


def answer_items(assessment, requirements) -> list[AnswerItem]:
    """Pair each of ``requirements`` with its answer; three queries."""
    links = EvidenceLink.objects.order_by("evidence__title", "pk")
    answers = {
        answer.requirement_id: answer
        for answer in Answer.objects.filter(
            assessment=assessment, requirement__in=[r.pk for r in requirements]
        )
        .select_related("updated_by", "review__reviewer")
        .prefetch_related(Prefetch("evidence_links", queryset=links))
    }
    return [AnswerItem(r, answers.get(r.pk)) for r in requirements]


def answer_item(assessment, requirement) -> AnswerItem:
    """Return one requirement with its answer."""
    return answer_items(assessment, [requirement])[0]


def actions_allowed_now(user, assessment: Assessment) -> list[Action]:
    """Return the actions ``user`` may do on ``assessment`` in its status now."""
    allowed = []
    for action in ASSESSMENT_ACTIONS:
        transitions = [
            name
            for name, transition in TRANSITIONS.items()
            if transition.action == action
        ]
        if transitions:
            now = any(transition_allowed(user, assessment, n) for n in transitions)
        else:
            now = can_now(user, action, assessment)
        if now:
            allowed.append(action)
    return allowed


def tokens_of(user):
    """Return the personal tokens of ``user``, newest first."""
    return PersonalToken.objects.filter(token__user=user).select_related("token__user")


def organisation_tokens(organisation, *, excluding=None):
    """Return the personal tokens of the members of ``organisation``.

    ``excluding`` leaves out the tokens of that one user.
    """
    tokens = PersonalToken.objects.filter(
        token__user__memberships__organisation=organisation
    )
    if excluding is not None:
        tokens = tokens.exclude(token__user=excluding)
    return tokens.select_related("token__user").order_by(
        "token__user__username", "-created_at", "-pk"
    )
