"""The EOI review queue's reads, and the conversion preview (what converting would do, read-only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower

from practice.models import Therapist
from research.eoi_mapping import PlannedField, conversion_plan
from research.models import EOIAudience, ExpressionOfInterest, ProfileStatus

REVIEW_QUEUE = (ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS)


def eois_awaiting_review() -> QuerySet[ExpressionOfInterest]:
    """Therapist EOIs still to be decided (pending or in progress), oldest first."""
    return ExpressionOfInterest.objects.filter(
        audience=EOIAudience.THERAPIST, profile_status__in=REVIEW_QUEUE
    ).order_by("submitted_at")


def eois_for_staff() -> QuerySet[ExpressionOfInterest]:
    """Every EOI with its reviewer: research staff review all of them (no clinical data here)."""
    return ExpressionOfInterest.objects.select_related("reviewed_by")


def eoi_review_queue(*, status: str | None = None, audience: str | None = None) -> QuerySet[ExpressionOfInterest]:
    """The staff API's queue: one profile status (default: pending and in progress), one audience or all,
    oldest first (the partial review-queue index, research_eoi_review_queue, serves this order)."""
    queryset = eois_for_staff()
    queryset = queryset.filter(profile_status=status) if status else queryset.filter(profile_status__in=REVIEW_QUEUE)
    if audience:
        queryset = queryset.filter(audience=audience)
    return queryset.order_by("submitted_at", "id")


def eoi_conversion_preview(*, eoi: ExpressionOfInterest) -> tuple[Therapist | None, list[PlannedField]]:
    """Read-only: the therapist a conversion would merge into (if any) and the field-by-field plan."""
    existing = (
        Therapist.objects.alias(e=Lower("email")).filter(e=eoi.email.strip().lower()).first() if eoi.email else None
    )
    return existing, conversion_plan(eoi, existing)
