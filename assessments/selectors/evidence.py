"""Reads of evidence items and the requirements they support."""

from django.db.models import Count, Exists, OuterRef, Prefetch

from assessments.models import Evidence, EvidenceLink


def evidence_choices(assessment, requirement=None):
    """Return the evidence items of ``assessment`` for the attach-existing list.

    With ``requirement``, each item carries ``supports``: whether it already
    backs the answer to that requirement. One query.
    """
    items = Evidence.objects.filter(assessment=assessment).only(
        "pk", "assessment_id", "title", "kind", "url", "original_name"
    )
    if requirement is not None:
        items = items.annotate(
            supports=Exists(
                EvidenceLink.objects.filter(
                    evidence=OuterRef("pk"),
                    answer__assessment=assessment,
                    answer__requirement=requirement,
                )
            )
        )
    return list(items.order_by("title", "pk"))


def evidence_of(assessment):
    """Return the evidence items of ``assessment`` with the codes they support.

    Each item carries ``comment_count``, the comments written about it, and
    the item and assessment it was carried over from.
    """
    links = EvidenceLink.objects.select_related("answer__requirement").order_by(
        "answer__requirement__sequence"
    )
    return list(
        Evidence.objects.filter(assessment=assessment)
        .select_related("created_by", "carried_from__assessment")
        .annotate(comment_count=Count("comments"))
        .prefetch_related(Prefetch("links", queryset=links))
        .order_by("title", "pk")
    )


def get_evidence(assessment, pk) -> Evidence | None:
    """Return evidence item ``pk`` of ``assessment``, or None."""
    return Evidence.objects.filter(assessment=assessment, pk=pk).first()
