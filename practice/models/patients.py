"""Patients: the aggregate root every clinical record hangs off (and the unit of therapist scoping)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower

from practice.models.choices import PatientStatus, SessionKind
from practice.models.history import clinical_history
from sanctuary.models import TimeStampedModel, choices_check
from sanctuary.validators import no_control_characters


def full_name_expression() -> Concat:
    """``first_name || ' ' || last_name`` (COALESCE'd, hence IMMUTABLE and indexable).

    Queries must use this exact expression for the trigram GIN index below to be usable.
    """
    return Concat("first_name", Value(" "), "last_name", output_field=models.CharField())


@clinical_history()
class Patient(TimeStampedModel):
    """Patient records with basic information and status."""

    Status = PatientStatus

    therapist = models.ForeignKey(
        "practice.Therapist",
        on_delete=models.PROTECT,
        related_name="patients",
        # Covered by the (therapist, status) index below.
        db_index=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient_profile",
        help_text="Login for the patient portal (optional).",
    )
    first_name = models.CharField(max_length=100, validators=[no_control_characters])
    last_name = models.CharField(max_length=100, validators=[no_control_characters])
    email = models.EmailField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True, validators=[no_control_characters])
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    preferred_session_type = models.CharField(
        max_length=20,
        choices=SessionKind.choices,
        default=SessionKind.INDIVIDUAL,
    )
    status = models.CharField(max_length=20, choices=PatientStatus.choices, default=PatientStatus.ACTIVE)
    notes = models.TextField(blank=True, help_text="General patient notes.")
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        db_table_comment = "Patient records with basic information and status"
        constraints = [
            choices_check("preferred_session_type", SessionKind, "practice_patient_preferred_session_type_valid"),
            choices_check("status", PatientStatus, "practice_patient_status_valid"),
            # G11: one patient record per e-mail address within a therapist's practice.
            models.UniqueConstraint(
                "therapist",
                Lower("email"),
                condition=~Q(email=""),
                name="practice_patient_email_per_therapist_ci_unique",
                violation_error_message="This therapist already has a patient with this e-mail address.",
            ),
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True) | ~Q(status=PatientStatus.ACTIVE),
                name="practice_patient_archived_not_active",
            ),
        ]
        indexes = [
            # active_patients_with_appointments / financial_summary / admin list: a therapist's patients by status.
            models.Index(fields=["therapist", "status"], name="practice_patient_ther_status"),
            # patient_search (G1): ILIKE and trigram similarity on the full name.
            GinIndex(
                OpClass(full_name_expression(), name="gin_trgm_ops"),
                name="practice_patient_name_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
