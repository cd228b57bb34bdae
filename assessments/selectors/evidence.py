"""Reads of evidence items and the requirements they support."""

from django.db.models import Count, Prefetch

from assessments.models import Evidence, EvidenceLink


def evidence_choices(assessment):
    """Return the evidence items of ``assessment`` for the attach-existing list."""
    return list(
        Evidence.objects.filter(assessment=assessment)
        .only("pk", "title", "kind", "original_name")
        .order_by("title", "pk")
    )


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
