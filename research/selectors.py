"""Reads used by the admin and commands (scoped, prefetched, fixed query counts)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Q, QuerySet

from practice.models import Therapist
from research.models import EngagementEvent, Feedback, FunnelStage, OutboundEmail, TherapistResearchState


def feedback_for_therapist(*, therapist_id: UUID | str) -> QuerySet[Feedback]:
    """All feedback for one therapist ("show all feedback for this therapist"), newest first."""
    return (
        Feedback.objects.filter(therapist_id=therapist_id).select_related("survey_response").order_by("-submitted_at")
    )


def events_for_therapist(*, therapist_id: UUID | str, limit: int = 50) -> QuerySet[EngagementEvent]:
    return EngagementEvent.objects.filter(therapist_id=therapist_id).select_related("outbound_email")[:limit]


def emails_for_therapist(*, therapist_id: UUID | str) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(therapist_id=therapist_id).order_by("step")


def funnel_by_variant() -> list[dict[str, object]]:
    """EXP-01 A/B comparison in one query: invited/opened/clicked/completed counts and rates per arm."""
    rows = (
        TherapistResearchState.objects.filter(stage__gte=FunnelStage.INVITED)
        .values("variant")
        .annotate(
            invited=Count("pk"),
            opened=Count("pk", filter=Q(stage__gte=FunnelStage.OPENED)),
            clicked=Count("pk", filter=Q(stage__gte=FunnelStage.CLICKED)),
            completed=Count("pk", filter=Q(stage__gte=FunnelStage.SURVEY_COMPLETED)),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        )
        .order_by("variant")
    )
    result = []
    for row in rows:
        invited = row["invited"] or 1
        result.append({
            **row,
            "variant": row["variant"] or "—",
            "open_rate": round(100 * row["opened"] / invited, 1),
            "click_rate": round(100 * row["clicked"] / invited, 1),
            "completion_rate": round(100 * row["completed"] / invited, 1),
        })
    return result



def funnel_stage_counts() -> list[dict[str, object]]:
    """Therapists per furthest funnel stage (``count``) and at-or-beyond it (``reached``), in one query over
    the one-to-one LEFT JOIN (no fan-out). Therapists with no research state yet count as not invited."""
    def at(stage: int) -> Q:
        here = Q(research_state__stage=stage)
        return here | Q(research_state__isnull=True) if stage == FunnelStage.NOT_INVITED else here

    counts = Therapist.objects.aggregate(**{f"s{stage.value}": Count("pk", filter=at(stage)) for stage in FunnelStage})
    rows, reached = [], 0
    for stage in sorted(FunnelStage, reverse=True):
        count = counts[f"s{stage.value}"]
        reached += count
        rows.append({"stage": stage.value, "label": stage.label, "count": count, "reached": reached})
    return rows[::-1]
