"""Per-therapist research state: funnel stage, terminal flags, counters and the next follow-up action.

Rows are maintained by one ``INSERT … ON CONFLICT DO UPDATE`` per event (services.state_upsert_sql) with
GREATEST/LEAST/+n, so concurrent events never lose updates and weaker later events never lower the stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q

from research.models.outreach import SequenceStep


class FunnelStage(models.IntegerChoices):
    NOT_INVITED = 0, "Not invited"
    INVITED = 1, "Invited"
    OPENED = 2, "Opened"
    CLICKED = 3, "Clicked"
    SURVEY_COMPLETED = 4, "Survey completed"


# B.14 timing, measured from the invitation: non-opener after 3 days, opened-no-click after 7,
# clicked-not-completed after 14; thank-you straight after completion.
FOLLOW_UP_RULES: tuple[tuple[int, int, int], ...] = (
    # (stage the therapist is at, step to send, days after the invitation)
    (FunnelStage.INVITED, SequenceStep.FOLLOW_UP_NON_RESPONDER, 3),
    (FunnelStage.OPENED, SequenceStep.FOLLOW_UP_NO_CLICK, 7),
    (FunnelStage.CLICKED, SequenceStep.FOLLOW_UP_INCOMPLETE, 14),
    (FunnelStage.SURVEY_COMPLETED, SequenceStep.THANK_YOU, 0),
)


@dataclass(frozen=True)
class NextAction:
    step: int | None  # SequenceStep to send, None when nothing is to be sent
    due_at: datetime | None
    label: str

    def is_due(self, now: datetime) -> bool:
        return self.step is not None and self.due_at is not None and self.due_at <= now


class TherapistResearchState(models.Model):
    Stage = FunnelStage

    therapist = models.OneToOneField(
        "practice.Therapist",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="research_state",
    )
    stage = models.PositiveSmallIntegerField(choices=FunnelStage.choices, default=FunnelStage.NOT_INVITED)
    # Terminal flags (timestamps): once set, no research e-mail is sent and nothing unsets them.
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)

    invited_at = models.DateTimeField(null=True, blank=True)
    variant = models.CharField(max_length=1, blank=True)
    experiment_id = models.CharField(max_length=100, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    opens_count = models.PositiveIntegerField(default=0)
    machine_opens_count = models.PositiveIntegerField(default=0)
    first_clicked_at = models.DateTimeField(null=True, blank=True)
    last_clicked_at = models.DateTimeField(null=True, blank=True)
    clicks_count = models.PositiveIntegerField(default=0)
    survey_completed_at = models.DateTimeField(null=True, blank=True)
    last_sandbox_visit_at = models.DateTimeField(null=True, blank=True)
    sandbox_visits_count = models.PositiveIntegerField(default=0)
    last_feedback_at = models.DateTimeField(null=True, blank=True)
    feedback_count = models.PositiveIntegerField(default=0)
    followup_count = models.PositiveSmallIntegerField(default=0, help_text="Follow-ups (steps 2–4) sent.")
    last_followup_at = models.DateTimeField(null=True, blank=True)
    # Bitmask of sequence steps sent (bit n = step n), maintained with |, so next_action needs no join.
    steps_sent = models.PositiveSmallIntegerField(default=0)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "therapist research state"
        constraints = [
            models.CheckConstraint(condition=Q(stage__gte=0, stage__lte=4), name="research_state_stage_valid"),
            models.CheckConstraint(condition=Q(variant__in=["", "A", "B"]), name="research_state_variant_valid"),
        ]
        indexes = [
            # send_due_followups: invited, not suppressed therapists by stage and invitation time.
            models.Index(
                fields=["stage", "invited_at"],
                condition=Q(unsubscribed_at__isnull=True, bounced_at__isnull=True, complained_at__isnull=True),
                name="research_state_followup_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}"

    @property
    def is_suppressed(self) -> bool:
        return bool(self.unsubscribed_at or self.bounced_at or self.complained_at)

    def has_sent(self, step: int) -> bool:
        return bool(self.steps_sent & (1 << step))

    def next_action(self) -> NextAction:
        """What the sequence does next for this therapist (B.14), and from when."""
        if self.is_suppressed:
            reason = "unsubscribed" if self.unsubscribed_at else "complained" if self.complained_at else "bounced"
            return NextAction(None, None, f"Nothing: {reason}")
        if self.stage == FunnelStage.NOT_INVITED or self.invited_at is None:
            return NextAction(None, None, "Nothing: not invited yet")
        for stage, step, days in FOLLOW_UP_RULES:
            if self.stage == stage:
                if self.has_sent(step):
                    return NextAction(None, None, f"Nothing: {SequenceStep(step).label} already sent")
                base = self.survey_completed_at if step == SequenceStep.THANK_YOU else self.invited_at
                due = (base or self.invited_at) + timedelta(days=days)
                return NextAction(step, due, f"{SequenceStep(step).label} from {due:%Y-%m-%d %H:%M}")
        return NextAction(None, None, "Nothing")
