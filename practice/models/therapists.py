"""The one therapist record of the whole system: clinician, directory listing or EOI-created profile."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower

from practice.models.history import clinical_history
from sanctuary.models import TimeStampedModel, choices_check
from sanctuary.validators import no_control_characters


class ProfileSource(models.TextChoices):
    VIC_IMPORT = "vic_import", "VIC register import"
    EOI = "eoi", "EOI submission"
    MANUAL = "manual", "Manual"
    RESEARCH_PARTICIPANT = "research_participant", "Research participant"


class DirectoryStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "Pending review"
    VERIFIED = "verified", "Verified"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ServiceType(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    PHONE = "phone", "Phone"


# History too: EOI conversions fill and merge profiles, and who changed a directory listing must be traceable.
@clinical_history()
class Therapist(TimeStampedModel):
    # Choices live at module level so Meta.constraints can reference them.
    ProfileSource = ProfileSource
    DirectoryStatus = DirectoryStatus
    ServiceType = ServiceType

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="therapist_profile",
    )
    email = models.EmailField(max_length=255)
    first_name = models.CharField(max_length=100, validators=[no_control_characters])
    last_name = models.CharField(max_length=100, blank=True, validators=[no_control_characters])
    preferred_name = models.CharField(max_length=100, blank=True, validators=[no_control_characters])
    pronouns = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=50, blank=True, help_text="Dr., LCSW, LMFT, etc.")
    phone = models.CharField(max_length=32, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)

    # Professional standing (G8: license tracking).
    profession = models.CharField(max_length=100, blank=True)
    license_number = models.CharField(max_length=50, blank=True)
    license_type = models.CharField(max_length=100, blank=True)
    license_issuing_body = models.CharField(max_length=200, blank=True)
    license_expiry = models.DateField(null=True, blank=True)
    license_verified = models.BooleanField(default=False)
    registration_number = models.CharField(max_length=50, blank=True)

    # Directory listing.
    organisation = models.CharField(max_length=200, blank=True)
    website = models.URLField(max_length=500, blank=True)
    specializations = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    modalities = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    languages = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    client_types = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    service_types = ArrayField(
        models.CharField(max_length=20, choices=ServiceType.choices),
        default=list,
        blank=True,
    )
    region = models.CharField(max_length=100, blank=True)
    suburb = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    session_fee = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    bulk_billing = models.BooleanField(null=True, blank=True)
    accepting_new_clients = models.BooleanField(null=True, blank=True)
    bio = models.TextField(blank=True)

    profile_source = models.CharField(
        max_length=30,
        choices=ProfileSource.choices,
        default=ProfileSource.MANUAL,
    )
    directory_status = models.CharField(
        max_length=20,
        choices=DirectoryStatus.choices,
        default=DirectoryStatus.PENDING_REVIEW,
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            # Clinicians see only their own record; directory work (research staff, managers) sees all.
            ("view_directory", "Can see every therapist in the directory"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="practice_therapist_email_ci_unique"),
            choices_check("profile_source", ProfileSource, "practice_therapist_profile_source_valid"),
            choices_check("directory_status", DirectoryStatus, "practice_therapist_directory_status_valid"),
            models.CheckConstraint(
                condition=models.Q(session_fee__isnull=True) | models.Q(session_fee__gte=0),
                name="practice_therapist_session_fee_non_negative",
            ),
            # ArrayField(choices=...) validates nothing in the database; this does.
            models.CheckConstraint(
                condition=models.Q(service_types__contained_by=ServiceType.values),
                name="practice_therapist_service_types_valid",
            ),
        ]
        indexes = [
            # licenses_expiring (G8): therapists whose license expires before a date.
            models.Index(
                fields=["license_expiry"],
                condition=models.Q(license_expiry__isnull=False),
                name="practice_therapist_license_exp",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def license_expires_within(self, days: int, *, today: date) -> bool:
        """G8: true when the license has expired or expires within ``days`` of ``today``."""
        return self.license_expiry is not None and self.license_expiry <= today + timedelta(days=days)
