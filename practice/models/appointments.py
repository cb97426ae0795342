"""Appointments: the therapist's calendar, with overlap protection and duration monitoring (G9)."""

from __future__ import annotations

from datetime import timedelta

import pgtrigger
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from practice.models.choices import LIVE_APPOINTMENT_STATUSES, AppointmentStatus, AppointmentType
from practice.models.history import clinical_history
from sanctuary import display
from sanctuary.models import TimeStampedModel, choices_check

# A session this many minutes longer or shorter than planned is an over- or under-run.
DURATION_TOLERANCE_MINUTES = 5


class TsTzRange(Func):
    """``tstzrange(start, end)`` – half-open, so back-to-back appointments do not overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


@clinical_history()
class Appointment(TimeStampedModel):
    """Scheduled therapy sessions."""

    Status = AppointmentStatus
    Type = AppointmentType

    patient = models.ForeignKey(
        "practice.Patient",
        on_delete=models.CASCADE,
        related_name="appointments",
        # Covered by the (patient, scheduled_start) index below.
        db_index=False,
    )
    therapist = models.ForeignKey(
        "practice.Therapist",
        on_delete=models.PROTECT,
        related_name="appointments",
        # Covered by the (therapist, scheduled_start) indexes and the exclusion constraint's GiST index.
        db_index=False,
    )
    session_type = models.ForeignKey(
        "practice.SessionType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    scheduled_start = models.DateTimeField()
    scheduled_end = models.DateTimeField()
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    appointment_type = models.CharField(
        max_length=20,
        choices=AppointmentType.choices,
        default=AppointmentType.IN_PERSON,
    )
    status = models.CharField(max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED)
    meeting_url = models.URLField(max_length=500, blank=True, help_text="For virtual sessions.")
    location = models.TextField(blank=True, help_text="For in-person sessions.")
    preparation_notes = models.TextField(blank=True)
    private_notes = models.TextField(blank=True, help_text="Therapist-only notes; never shown to the patient.")
    cancellation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["scheduled_start"]
        db_table_comment = "Scheduled therapy sessions"
        constraints = [
            choices_check("status", AppointmentStatus, "practice_appointment_status_valid"),
            choices_check("appointment_type", AppointmentType, "practice_appointment_type_valid"),
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=F("scheduled_start")),
                name="practice_appointment_end_after_start",
                violation_error_message="The appointment must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gt=F("actual_start"))),
                name="practice_appointment_actual_end_after_actual_start",
                violation_error_message="The session must have started and must end after it starts.",
            ),
            ExclusionConstraint(
                name="practice_appointment_no_overlap",
                expressions=[
                    ("therapist", RangeOperators.EQUAL),
                    (TsTzRange("scheduled_start", "scheduled_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=LIVE_APPOINTMENT_STATUSES),
                violation_error_message="The therapist already has an appointment at this time.",
            ),
        ]
        indexes = [
            # The calendar (week and day), the therapist's home (today and the week ahead) and the appointment
            # list: a therapist's appointments of every status in a time window, by start.
            models.Index(fields=["therapist", "scheduled_start"], name="practice_appt_therapist_start"),
            # upcoming_appointments: a therapist's scheduled appointments from now, by start.
            models.Index(
                fields=["therapist", "scheduled_start"],
                condition=Q(status=AppointmentStatus.SCHEDULED),
                name="practice_appt_upcoming",
            ),
            # Next session per patient (G2 subquery) and the patient's appointment history.
            models.Index(fields=["patient", "scheduled_start"], name="practice_appt_patient_start"),
            # appointment_duration_report: a therapist's completed sessions by start.
            models.Index(
                fields=["therapist", "scheduled_start"],
                condition=Q(status=AppointmentStatus.COMPLETED),
                name="practice_appt_completed",
            ),
        ]
        triggers = [
            # Import paths (fixtures, raw SQL) may carry the seed document's spelling; store the canonical one.
            pgtrigger.Trigger(
                name="status_legacy_spelling",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__status="no-show"),
                func="NEW.status := 'no_show'; RETURN NEW;",
            ),
        ]

    def __str__(self) -> str:
        # "Mon 7 Dec, 9:00 am – Amelia Chen" in the practice's time; pickers select_related the patient.
        label = f"{display.datetime_label(self.scheduled_start)} – {self.patient.full_name}"
        if self.status != AppointmentStatus.SCHEDULED:
            label += f" ({self.get_status_display().lower()})"
        return label

    # G9: duration monitoring (the selector computes the same numbers in SQL for reports).
    @property
    def scheduled_minutes(self) -> int:
        return int((self.scheduled_end - self.scheduled_start) / timedelta(minutes=1))

    @property
    def actual_minutes(self) -> int | None:
        if self.actual_start is None or self.actual_end is None:
            return None
        return int((self.actual_end - self.actual_start) / timedelta(minutes=1))

    @property
    def overrun_minutes(self) -> int | None:
        actual = self.actual_minutes
        return None if actual is None else actual - self.scheduled_minutes
