"""Reads about one directory therapist: their feedback, e-mails and engagement log (the therapist page)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from research.models import EngagementEvent, Feedback, OutboundEmail


def feedback_for_therapist(*, therapist_id: UUID | str) -> QuerySet[Feedback]:
    """All feedback for one therapist ("show all feedback for this therapist"), newest first."""
    return (
        Feedback.objects.filter(therapist_id=therapist_id).select_related("survey_response").order_by("-submitted_at")
    )


def events_for_therapist(*, therapist_id: UUID | str, limit: int = 50) -> QuerySet[EngagementEvent]:
    return EngagementEvent.objects.filter(therapist_id=therapist_id).select_related("outbound_email")[:limit]


def emails_for_therapist(*, therapist_id: UUID | str) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(therapist_id=therapist_id).order_by("step")
