"""Expressions of interest from the landing-page form, all four audiences (seed facts B.7, B.10)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from research.models._checks import array_choices_check
from research.models.options import EmailPreference, TherapyInterest
from sanctuary.models import TimeStampedModel, choices_check


class EOIAudience(models.TextChoices):
    THERAPIST = "therapist", "Mental health professional"
    ORGANISATION = "organisation", "Organisation or clinic"
    INDIVIDUAL = "individual", "Individual seeking therapy"
    SUPPORTER = "supporter", "Supporter or investor"


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


class ExpressionOfInterest(TimeStampedModel):
    Audience = EOIAudience
    ProfileStatus = ProfileStatus

    audience = models.CharField(max_length=20, choices=EOIAudience.choices)
    email = models.EmailField(max_length=255)
    email_consent = models.BooleanField()
    consented_at = models.DateTimeField(null=True, blank=True)
    email_preferences = ArrayField(
        models.CharField(max_length=40, choices=EmailPreference.choices), default=list, blank=True,
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
        models.CharField(max_length=40, choices=TherapyInterest.choices), default=list, blank=True,
    )
    additional_thoughts = models.TextField(blank=True)
    # Supporter or investor.
    support_interest = models.TextField(blank=True)

    # Profile workflow (conversion itself is issue 5): who decided what, when and why.
    profile_status = models.CharField(max_length=20, choices=ProfileStatus.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    # The directory therapist this EOI belongs to: found by e-mail, or created/merged by the conversion.
    therapist = models.ForeignKey(
        "practice.Therapist", null=True, blank=True, on_delete=models.SET_NULL, related_name="eois",
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
                fields=["import_key"], condition=~Q(import_key=""), name="research_eoi_import_key_unique",
            ),
        ]
        indexes = [
            # The review queue: pending therapist EOIs, oldest first.
            models.Index(
                fields=["submitted_at"], condition=Q(profile_status__in=["pending", "in_progress"]),
                name="research_eoi_review_queue",
            ),
            models.Index(fields=["email"], condition=Q(therapist__isnull=True), name="research_eoi_orphan_email"),
        ]

    def __str__(self) -> str:
        name = self.full_name or self.contact_name or self.organisation_name or self.get_audience_display()
        return f"EOI {name} ({self.get_audience_display()})"
