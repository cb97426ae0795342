"""Research e-mail: what was sent, what happened to it (append-only), and who must never get more."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from sanctuary.models import TimeStampedModel, choices_check


class SequenceStep(models.IntegerChoices):
    """The research sequence of B.14 (days from the invitation: 0 / 3 / 7 / 14 / on completion)."""

    INVITATION = 1, "Email 1 – Research invitation"
    FOLLOW_UP_NON_RESPONDER = 2, "Email 2 – Follow-up 1: non-responder"
    FOLLOW_UP_NO_CLICK = 3, "Email 3 – Follow-up 2: opened, no click"
    FOLLOW_UP_INCOMPLETE = 4, "Email 4 – Follow-up 3: clicked, survey not completed"
    THANK_YOU = 5, "Email 5 – Thank you"


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", "Queued (claimed, not yet handed to the provider)"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    DELAYED = "delayed", "Delivery delayed"
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Marked as spam"
    FAILED = "failed", "Failed"


class OutboundEmail(TimeStampedModel):
    Step = SequenceStep
    Status = OutboundStatus

    therapist = models.ForeignKey("practice.Therapist", on_delete=models.PROTECT, related_name="research_emails")
    to_email = models.EmailField(max_length=255)
    step = models.PositiveSmallIntegerField(choices=SequenceStep.choices)
    subject = models.CharField(max_length=200)
    variant = models.CharField(max_length=1, blank=True, help_text="A/B arm (blank outside an experiment).")
    experiment_id = models.CharField(max_length=100, blank=True)
    provider_message_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A step is sent at most once per therapist, even when two send_due_followups runs overlap.
            models.UniqueConstraint(fields=["therapist", "step"], name="research_outboundemail_one_per_step"),
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=5), name="research_outboundemail_step_1_5"),
            models.CheckConstraint(
                condition=Q(variant__in=["", "A", "B"]),
                name="research_outboundemail_variant_valid",
            ),
            choices_check("status", OutboundStatus, "research_outboundemail_status_valid"),
        ]
        indexes = [
            # Webhook fallback attribution by recipient when the provider id is unknown.
            models.Index(Lower("to_email"), F("created_at").desc(), name="research_outbound_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} → {self.to_email}"


class EventKind(models.TextChoices):
    EMAIL_SENT = "email_sent", "E-mail sent"
    EMAIL_DELIVERED = "email_delivered", "E-mail delivered"
    EMAIL_DELAYED = "email_delayed", "E-mail delivery delayed"
    EMAIL_OPENED = "email_opened", "E-mail opened"
    EMAIL_CLICKED = "email_clicked", "E-mail link clicked"
    EMAIL_BOUNCED = "email_bounced", "E-mail bounced"
    EMAIL_COMPLAINED = "email_complained", "E-mail marked as spam"
    EMAIL_FAILED = "email_failed", "E-mail failed"
    SURVEY_COMPLETED = "survey_completed", "Survey completed"
    FEEDBACK_SUBMITTED = "feedback_submitted", "Feedback submitted"
    SANDBOX_VISITED = "sandbox_visited", "Sandbox visited"
    FOLLOW_UP_SENT = "follow_up_sent", "Follow-up sent"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    IGNORED = "ignored", "Ignored provider event"


class EventStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"


@pgtrigger.register(
    # History is never rewritten: UPDATE and DELETE fail even through raw SQL (TRUNCATE by tests is allowed).
    pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class EngagementEvent(models.Model):
    """One behaviour, with when, who and context (S0: timestamp, user, context, status). Append-only."""

    Kind = EventKind
    Status = EventStatus

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(db_default=models.functions.Now())
    therapist = models.ForeignKey(
        "practice.Therapist",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="research_events",
    )
    email = models.EmailField(max_length=255, blank=True)
    outbound_email = models.ForeignKey(
        OutboundEmail,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    # utm_* of the clicked link, variant, experiment_id, step, clicked_url, provider type, machine_open …
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=EventStatus.choices, default=EventStatus.COMPLETED)
    # An open from a privacy proxy / scanner or seconds after delivery: stored, but not engagement.
    machine_open = models.BooleanField(default=False)
    # Resend: the svix-id of the delivery. Our own events: a deterministic key ("survey:<id>") or NULL.
    provider_event_id = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            choices_check("kind", EventKind, "research_engagementevent_kind_valid"),
            choices_check("status", EventStatus, "research_engagementevent_status_valid"),
        ]
        indexes = [
            # Therapist admin page and funnel: a therapist's events, newest first.
            models.Index(fields=["therapist", "-occurred_at"], name="research_event_therapist"),
            # Funnel/A-B reports by kind over time.
            models.Index(fields=["kind", "occurred_at"], name="research_event_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    COMPLAINT = "complaint", "Spam complaint"
    MANUAL = "manual", "Added by staff"


class Suppression(models.Model):
    """An address that gets no further research e-mail: unsubscribed, hard-bounced or complained."""

    Reason = SuppressionReason

    email = models.EmailField(max_length=255, help_text="Stored lower-cased and trimmed.")
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(db_default=models.functions.Now())
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One row per address (first reason wins); the send path checks it with one index probe.
            models.UniqueConstraint(Lower("email"), name="research_suppression_email_ci_unique"),
            choices_check("reason", SuppressionReason, "research_suppression_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"
