"""The EOI review queue's reads."""

from __future__ import annotations

from django.db.models import QuerySet

from research.models import EOIAudience, ExpressionOfInterest, ProfileStatus


def eois_awaiting_review() -> QuerySet[ExpressionOfInterest]:
    """Therapist EOIs still to be decided (pending or in progress), oldest first."""
    return (
        ExpressionOfInterest.objects.filter(
            audience=EOIAudience.THERAPIST, profile_status__in=[ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS],
        )
        .order_by("submitted_at")
    )
