"""The outreach funnel: therapists per stage, the A/B comparison per arm with its decision rule's verdict,
the recent engagement log, and who is due which step of the e-mail sequence."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Lower

from practice.models import Therapist
from research.models import EngagementEvent, FunnelStage, Suppression, TherapistResearchState

# EXP-01's decision rule (research plan B.14): an arm wins with a completion rate at least this many
# percentage points above the other's, once every arm has at least this many recipients.
EXPERIMENT_MIN_RECIPIENTS = 5
EXPERIMENT_MIN_DIFFERENCE_POINTS = 5.0


def funnel_by_variant() -> list[dict[str, Any]]:
    """EXP-01 A/B comparison in one query: invited/opened/clicked/completed counts and rates per arm. Opens a
    scanner or privacy proxy made within seconds of delivery (machine opens) never move a therapist to
    "opened", so they are not in the open rate; their count is shown beside it."""
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
            machine_opens=Sum("machine_opens_count"),
        )
        .order_by("variant")
    )
    result = []
    for row in rows:
        invited = row["invited"] or 1
        result.append(
            {
                **row,
                "variant": row["variant"] or "—",
                "machine_opens": row["machine_opens"] or 0,
                "open_rate": round(100 * row["opened"] / invited, 1),
                "click_rate": round(100 * row["clicked"] / invited, 1),
                "completion_rate": round(100 * row["completed"] / invited, 1),
            }
        )
    return result


@dataclass(frozen=True)
class Verdict:
    decided: bool
    winner: str | None
    text: str


def experiment_verdict(rows: list[dict[str, Any]]) -> Verdict:
    """The decision rule applied to ``funnel_by_variant()``'s rows, stated as a sentence."""
    arms = [row for row in rows if row["variant"] != "—"]
    if len(arms) < 2:
        names = ", ".join(f"arm {row['variant']}" for row in arms) or "no arm"
        return Verdict(False, None, f"Not enough data: {names} so far; the rule compares two arms.")
    short = [row for row in arms if row["invited"] < EXPERIMENT_MIN_RECIPIENTS]
    if short:
        parts = [
            f"arm {row['variant']} has {row['invited']} of the {EXPERIMENT_MIN_RECIPIENTS} recipients it needs"
            for row in short
        ]
        return Verdict(False, None, "Not enough data: " + "; ".join(parts) + ".")
    ranked = sorted(arms, key=lambda row: row["completion_rate"], reverse=True)
    best, runner_up = ranked[0], ranked[1]
    difference = round(best["completion_rate"] - runner_up["completion_rate"], 1)
    if difference >= EXPERIMENT_MIN_DIFFERENCE_POINTS:
        return Verdict(
            True,
            best["variant"],
            (
                f"Arm {best['variant']} wins: its completion rate is {difference} points higher "
                f"({best['completion_rate']} % against {runner_up['completion_rate']} %)."
            ),
        )
    return Verdict(
        False,
        None,
        (
            f"No winner yet: the completion rates differ by {difference} points, under the "
            f"{EXPERIMENT_MIN_DIFFERENCE_POINTS:g}-point threshold."
        ),
    )


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


def recent_engagement(*, limit: int = 15) -> QuerySet[EngagementEvent]:
    """The newest engagement events, with the therapist they concern."""
    return EngagementEvent.objects.select_related("therapist").order_by("-occurred_at", "-id")[:limit]


@dataclass(frozen=True)
class DueFollowUp:
    therapist_id: uuid.UUID
    email: str
    name: str
    step: int
    label: str


def _unsuppressed_states():  # type: ignore[no-untyped-def]
    suppressed = Suppression.objects.alias(e=Lower("email")).filter(e=Lower(OuterRef("therapist__email")))
    return (
        TherapistResearchState.objects.filter(
            unsubscribed_at__isnull=True,
            bounced_at__isnull=True,
            complained_at__isnull=True,
            stage__gte=FunnelStage.INVITED,
            invited_at__isnull=False,
        )
        .exclude(Exists(suppressed))
        .select_related("therapist")
    )


def followups_due(*, now: datetime) -> list[DueFollowUp]:
    """Every (therapist, step) the B.14 rules say is due now, never for a suppressed address."""
    due = []
    for state in _unsuppressed_states().order_by("invited_at"):
        action = state.next_action()
        if action.is_due(now):
            assert action.step is not None
            due.append(
                DueFollowUp(
                    state.therapist_id, state.therapist.email, state.therapist.full_name, action.step, action.label
                )
            )
    return due
