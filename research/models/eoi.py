"""Expressions of interest from the landing-page form, all four audiences (seed facts B.7, B.10)."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from research.models._checks import array_choices_check
from research.models.options import EmailPreference, TherapyInterest
from sanctuary.models import TimeStampedModel, choices_check


class EOIAudience(models.TextChoices):
    THERAPIST = "therapist", "Mental health professional"
    ORGANISATION = "organisation", "Organisation or clinic"
    INDIVIDUAL = "individual", "Individual seeking therapy"
    SUPPORTER = "supporter", "Supporter or investor"


# Other spellings of the audiences that the original landing page posts and its Notion export holds.
EOI_AUDIENCE_ALIASES = {"organization": EOIAudience.ORGANISATION, "other": EOIAudience.SUPPORTER}


class ProfileStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    CREATED = "created", "Created"
    REJECTED = "rejected", "Rejected"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# Form fields each audience may send (besides e-mail and consent); the API rejects the others.
AUDIENCE_FIELDS: dict[str, tuple[str, ...]] = {
    EOIAudience.THERAPIST: ("full_name", "professional_title", "organisation", "specialisations"),
    EOIAudience.ORGANISATION: ("contact_name", "position", "organisation_name", "partnership_interest"),
    EOIAudience.INDIVIDUAL: ("full_name", "therapy_interests", "additional_thoughts"),
    EOIAudience.SUPPORTER: ("full_name", "support_interest"),
}
AUDIENCE_REQUIRED: dict[str, tuple[str, ...]] = {
    EOIAudience.THERAPIST: ("full_name", "professional_title"),
    EOIAudience.ORGANISATION: ("contact_name", "position", "organisation_name"),
    EOIAudience.INDIVIDUAL: (),
    EOIAudience.SUPPORTER: (),
}


# (old, new) profile_status pairs any writer may make; everything else is refused by the trigger below.
# pending → rejected lets staff reject obvious spam from the queue without opening a review first.
LEGAL_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS),
        (ProfileStatus.PENDING, ProfileStatus.REJECTED),
        (ProfileStatus.IN_PROGRESS, ProfileStatus.CREATED),
        (ProfileStatus.IN_PROGRESS, ProfileStatus.REJECTED),
    }
)
# Allowed only together with a "reopened" audit row written in the same transaction (a manager's decision).
REOPEN_TRANSITION = (ProfileStatus.REJECTED, ProfileStatus.PENDING)

_PAIRS = ", ".join(f"('{old}', '{new}')" for old, new in sorted(LEGAL_TRANSITIONS))
PROFILE_STATUS_TRANSITION = f"""
    IF (OLD.profile_status, NEW.profile_status) IN ({_PAIRS}) THEN
        RETURN NEW;
    END IF;
    IF OLD.profile_status = '{REOPEN_TRANSITION[0]}' AND NEW.profile_status = '{REOPEN_TRANSITION[1]}'
       AND EXISTS (
           SELECT 1 FROM research_eoireviewevent
           WHERE eoi_id = NEW.id AND action = 'reopened' AND txid = txid_current()
       )
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'EOI % may not go from % to %', OLD.id, OLD.profile_status, NEW.profile_status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'research_expressionofinterest_profile_transition';
"""  # noqa: S608 -- built from the module's own status constants, no input reaches it


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    context_field=pghistory.ContextForeignKey(),
    append_only=True,
)
class ExpressionOfInterest(TimeStampedModel):
    Audience = EOIAudience
    ProfileStatus = ProfileStatus

    audience = models.CharField(max_length=20, choices=EOIAudience.choices)
    email = models.EmailField(max_length=255)
    email_consent = models.BooleanField()
    consented_at = models.DateTimeField(null=True, blank=True)
    email_preferences = ArrayField(
        models.CharField(max_length=40, choices=EmailPreference.choices),
        default=list,
        blank=True,
    )
    submitted_at = models.DateTimeField()

    # Therapist (Full_Name is also the optional Name of individuals and supporters, which the original dropped).
    full_name = models.CharField(max_length=200, blank=True)
    professional_title = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True, help_text="Organisation/practice (therapists).")
    specialisations = models.TextField(blank=True)
    # Organisation or clinic.
    contact_name = models.CharField(max_length=200, blank=True)
    position = models.CharField(max_length=200, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    partnership_interest = models.TextField(blank=True)
    # Individual seeking therapy.
    therapy_interests = ArrayField(
        models.CharField(max_length=40, choices=TherapyInterest.choices),
        default=list,
        blank=True,
    )
    additional_thoughts = models.TextField(blank=True)
    # Supporter or investor.
    support_interest = models.TextField(blank=True)

    # Profile workflow (conversion itself is issue 5): who decided what, when and why.
    profile_status = models.CharField(max_length=20, choices=ProfileStatus.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    # The directory therapist this EOI belongs to: found by e-mail, or created/merged by the conversion.
    therapist = models.ForeignKey(
        "practice.Therapist",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="eois",
    )
    import_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "expression of interest"
        verbose_name_plural = "expressions of interest"
        constraints = [
            choices_check("audience", EOIAudience, "research_eoi_audience_valid"),
            choices_check("profile_status", ProfileStatus, "research_eoi_profile_status_valid"),
            # Only therapists become profiles; every other audience is "not applicable" and nothing else.
            models.CheckConstraint(
                condition=(Q(audience=EOIAudience.THERAPIST) & ~Q(profile_status=ProfileStatus.NOT_APPLICABLE))
                | (~Q(audience=EOIAudience.THERAPIST) & Q(profile_status=ProfileStatus.NOT_APPLICABLE)),
                name="research_eoi_status_matches_audience",
            ),
            # A decided EOI says who decided and when; a rejection says why.
            models.CheckConstraint(
                condition=~Q(profile_status__in=[ProfileStatus.CREATED, ProfileStatus.REJECTED])
                | Q(reviewed_at__isnull=False),
                name="research_eoi_decision_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(profile_status=ProfileStatus.REJECTED) | ~Q(review_reason=""),
                name="research_eoi_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(profile_status=ProfileStatus.CREATED) | Q(therapist__isnull=False),
                name="research_eoi_created_has_profile",
            ),
            models.CheckConstraint(condition=Q(email_consent=True), name="research_eoi_consent_given"),
            array_choices_check("therapy_interests", TherapyInterest, "research_eoi_therapy_interests_valid"),
            array_choices_check("email_preferences", EmailPreference, "research_eoi_email_preferences_valid"),
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~Q(import_key=""),
                name="research_eoi_import_key_unique",
            ),
        ]
        indexes = [
            # The review queue: pending therapist EOIs, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=Q(profile_status__in=["pending", "in_progress"]),
                name="research_eoi_review_queue",
            ),
            models.Index(fields=["email"], condition=Q(therapist__isnull=True), name="research_eoi_orphan_email"),
        ]
        triggers = [
            # The workflow survives raw SQL and bulk updates: only LEGAL_TRANSITIONS, plus an audited reopen.
            pgtrigger.Trigger(
                name="profile_status_transition",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition("OLD.profile_status IS DISTINCT FROM NEW.profile_status"),
                func=PROFILE_STATUS_TRANSITION,
            ),
        ]

    def __str__(self) -> str:
        name = self.full_name or self.contact_name or self.organisation_name or self.get_audience_display()
        return f"EOI {name} ({self.get_audience_display()})"


class ReviewAction(models.TextChoices):
    REVIEW_STARTED = "review_started", "Review started"
    CREATED = "created", "Profile created"
    MERGED = "merged", "Merged into existing profile"
    REJECTED = "rejected", "Rejected"
    REOPENED = "reopened", "Reopened"


class ReviewSource(models.TextChoices):
    ADMIN = "admin", "Admin"
    API = "api", "REST API"
    COMMAND = "command", "Management command"


@pgtrigger.register(
    # The audit trail is never rewritten, not even through raw SQL.
    pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class EOIReviewEvent(models.Model):
    """One step of the EOI review: who, when, through what, from/to which status, and the field diff."""

    Action = ReviewAction
    Source = ReviewSource

    id = models.BigAutoField(primary_key=True)
    eoi = models.ForeignKey(ExpressionOfInterest, on_delete=models.PROTECT, related_name="review_events")
    action = models.CharField(max_length=20, choices=ReviewAction.choices)
    from_status = models.CharField(max_length=20, choices=ProfileStatus.choices)
    to_status = models.CharField(max_length=20, choices=ProfileStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=ReviewSource.choices)
    occurred_at = models.DateTimeField(db_default=Now())
    therapist = models.ForeignKey(
        "practice.Therapist",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="eoi_review_events",
    )
    reason = models.TextField(blank=True)
    # Conversion: one entry per mapped field {eoi_field, therapist_field, current, proposed, change}.
    diff = models.JSONField(default=list, blank=True)
    # The writing transaction: the transition trigger accepts a reopen only next to its own audit row.
    txid = models.BigIntegerField(
        db_default=models.Func(function="txid_current", output_field=models.BigIntegerField()),
        editable=False,
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "EOI review event"
        constraints = [
            choices_check("action", ReviewAction, "research_eoireviewevent_action_valid"),
            choices_check("source", ReviewSource, "research_eoireviewevent_source_valid"),
            choices_check("from_status", ProfileStatus, "research_eoireviewevent_from_status_valid"),
            choices_check("to_status", ProfileStatus, "research_eoireviewevent_to_status_valid"),
            models.CheckConstraint(
                condition=~Q(action__in=[ReviewAction.REJECTED, ReviewAction.REOPENED]) | ~Q(reason=""),
                name="research_eoireviewevent_reason_required",
            ),
            models.CheckConstraint(
                condition=~Q(action__in=[ReviewAction.CREATED, ReviewAction.MERGED]) | Q(therapist__isnull=False),
                name="research_eoireviewevent_conversion_has_profile",
            ),
        ]
        indexes = [
            # An EOI's trail (admin inline, API) and the trigger's reopen look-up.
            models.Index(fields=["eoi", "action", "txid"], name="research_eoireview_eoi_action"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_id} at {self.occurred_at:%Y-%m-%d %H:%M}"
