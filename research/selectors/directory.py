"""The directory: searching it (the staff API), and reads about one therapist: their feedback, e-mails and
engagement log (the therapist page)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from practice.models import Therapist
from research.models import EngagementEvent, Feedback, FunnelStage, OutboundEmail


def feedback_for_therapist(*, therapist_id: UUID | str) -> QuerySet[Feedback]:
    """All feedback for one therapist ("show all feedback for this therapist"), newest first."""
    return (
        Feedback.objects.filter(therapist_id=therapist_id).select_related("survey_response").order_by("-submitted_at")
    )


def events_for_therapist(*, therapist_id: UUID | str, limit: int = 50) -> QuerySet[EngagementEvent]:
    return EngagementEvent.objects.filter(therapist_id=therapist_id).select_related("outbound_email")[:limit]


def emails_for_therapist(*, therapist_id: UUID | str) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(therapist_id=therapist_id).order_by("step")


def directory_search(*, filters: dict[str, Any]) -> QuerySet[Therapist]:
    """Directory therapists with their research state (one LEFT JOIN), filtered, by name."""
    therapists = Therapist.objects.select_related("research_state").order_by("last_name", "first_name", "pk")
    text = " ".join(str(filters.get("q", "")).split())
    if text:
        therapists = therapists.filter(
            Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(preferred_name__icontains=text)
            | Q(organisation__icontains=text)
        )
    for name in ("region", "state", "profession"):
        if name in filters:
            therapists = therapists.filter(**{f"{name}__iexact": filters[name]})
    if "directory_status" in filters:
        therapists = therapists.filter(directory_status=filters["directory_status"])
    if "service_type" in filters:
        therapists = therapists.filter(service_types__contains=[filters["service_type"]])
    if "accepting_new_clients" in filters:
        therapists = therapists.filter(accepting_new_clients=filters["accepting_new_clients"])
    if "research_stage" in filters:
        stage = filters["research_stage"]
        reached = Q(research_state__stage=stage)
        if stage == FunnelStage.NOT_INVITED:
            reached |= Q(research_state__isnull=True)
        therapists = therapists.filter(reached)
    return therapists
