"""Appointments: book, reschedule, cancel (or a patient's request to), complete, no-show, details."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Patient,
    SessionType,
    Therapist,
)
from practice.models.choices import LIVE_APPOINTMENT_STATUSES, canonical
from practice.selectors.workspace import next_free_slot
from practice.services.base import (
    CONFLICT_EXPLAINERS,
    DEFAULT_SESSION_MINUTES,
    _acting,
    _apply,
    _locked,
    _require_same_therapist,
    _save,
    validate,
)
from sanctuary import display
from sanctuary.errors import InvalidTransition

# --- appointments -------------------------------------------------------------------------------------------


def appointment_overlap_error(appointment: Appointment) -> ValidationError | None:
    """The no-overlap violation in the therapist's terms: which session it clashes with, and the next free slot
    of the same length (``params["next_free_slot"]``, for a form to offer)."""
    clash = (
        Appointment.objects.filter(
            therapist_id=appointment.therapist_id,
            status__in=LIVE_APPOINTMENT_STATUSES,
            scheduled_start__lt=appointment.scheduled_end,
            scheduled_end__gt=appointment.scheduled_start,
        )
        .exclude(pk=appointment.pk)
        .select_related("patient")
        .order_by("scheduled_start")
        .first()
    )
    if clash is None:
        return None
    minutes = int((appointment.scheduled_end - appointment.scheduled_start) / timedelta(minutes=1))
    slot = next_free_slot(
        therapist=appointment.therapist_id,
        after=appointment.scheduled_start,
        minutes=minutes,
        exclude=appointment.pk,
    )
    day = display.date_label(display.local(clash.scheduled_start).date())
    hours = display.time_range_label(clash.scheduled_start, clash.scheduled_end)
    text = f"The therapist already has an appointment at this time: {clash.patient.full_name}, {day}, {hours}."
    if slot is not None:
        text += f" Next free slot: {display.datetime_label(slot)}."
    # ValidationError formats its message with params; a name with a "%" must not be read as a placeholder.
    return ValidationError(text.replace("%", "%%"), code="overlap", params={"next_free_slot": slot})


CONFLICT_EXPLAINERS["practice_appointment_no_overlap"] = appointment_overlap_error


def _default_end(start: datetime, session_type: SessionType | None) -> datetime:
    minutes = session_type.default_duration_minutes if session_type else DEFAULT_SESSION_MINUTES
    return start + timedelta(minutes=minutes)


def appointment_book(
    *,
    therapist: Therapist,
    patient: Patient,
    scheduled_start: datetime,
    scheduled_end: datetime | None = None,
    session_type: SessionType | None = None,
    appointment_type: str = AppointmentType.IN_PERSON,
    meeting_url: str = "",
    location: str = "",
    preparation_notes: str = "",
    private_notes: str = "",
    actor: User | None = None,
) -> Appointment:
    """Book a session; the end defaults to the session type's duration. Overlaps with the therapist's live
    appointments are rejected (and the exclusion constraint settles concurrent bookings)."""
    _require_same_therapist(therapist, patient)
    appointment = Appointment(
        therapist=therapist,
        patient=patient,
        session_type=session_type,
        scheduled_start=scheduled_start,
        scheduled_end=scheduled_end or _default_end(scheduled_start, session_type),
        appointment_type=canonical(AppointmentType, appointment_type),
        meeting_url=meeting_url,
        location=location,
        preparation_notes=preparation_notes,
        private_notes=private_notes,
        status=AppointmentStatus.SCHEDULED,
    )
    with _acting(actor):
        return _save(appointment)


def _locked_scheduled(appointment: Appointment, verb: str) -> Appointment:
    appointment = _locked(Appointment, appointment.pk)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise InvalidTransition(
            {"status": [f"Only a scheduled appointment can be {verb}; this one is {appointment.get_status_display()}."]}
        )
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    scheduled_start: datetime,
    scheduled_end: datetime | None = None,
    actor: User | None = None,
) -> Appointment:
    """Move a scheduled appointment; without a new end the length is kept."""
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "rescheduled")
        length = appointment.scheduled_end - appointment.scheduled_start
        appointment.scheduled_start = scheduled_start
        appointment.scheduled_end = scheduled_end or scheduled_start + length
        return _save(appointment, update_fields=["scheduled_start", "scheduled_end"])


def appointment_cancel(*, appointment: Appointment, reason: str, actor: User | None = None) -> Appointment:
    if not reason.strip():
        raise ValidationError({"cancellation_reason": ["Say why the appointment is cancelled."]})
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "cancelled")
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancellation_reason = reason.strip()
        return _save(appointment, update_fields=["status", "cancellation_reason"])


# The patient's own words are kept, marked as theirs, so the therapist sees who cancelled and why.
PATIENT_CANCELLATION_PREFIX = "Cancelled by the patient: "


def appointment_request_cancellation(
    *,
    appointment: Appointment,
    patient: Patient,
    reason: str,
    now: datetime | None = None,
    actor: User | None = None,
) -> Appointment:
    """A patient cancels one of their own *upcoming, scheduled* appointments from the portal.

    Chosen over a "request" the therapist must approve: the appointment is cancelled at once (it frees the
    slot and needs no new table), with the patient's reason recorded as ``cancellation_reason``. Anything
    that has started, lies in the past or is no longer scheduled is the therapist's to settle: 409.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why you are cancelling."]})
    if appointment.patient_id != patient.pk:
        raise ValidationError({"appointment": ["This appointment belongs to another patient."]})
    now = now or timezone.now()
    with _acting(actor):
        appointment = _locked(Appointment, appointment.pk)
        if appointment.status != AppointmentStatus.SCHEDULED:
            raise InvalidTransition(
                {
                    "status": [
                        f"Only a scheduled appointment can be cancelled; this one is "
                        f"{appointment.get_status_display()}."
                    ]
                }
            )
        if appointment.scheduled_start <= now:
            raise InvalidTransition(
                {"scheduled_start": ["This appointment has already started; please contact your therapist."]}
            )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancellation_reason = f"{PATIENT_CANCELLATION_PREFIX}{reason}"
        return _save(appointment, update_fields=["status", "cancellation_reason"])


def appointment_complete(
    *,
    appointment: Appointment,
    actual_start: datetime | None = None,
    actual_end: datetime | None = None,
    now: datetime | None = None,
    actor: User | None = None,
) -> Appointment:
    """Mark a session as held; the actual times feed duration monitoring (G9). A session that has not
    started yet cannot have been held."""
    now = now or timezone.now()
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "completed")
        appointment.status = AppointmentStatus.COMPLETED
        appointment.actual_start = actual_start
        appointment.actual_end = actual_end
        # Bad input is a field error (400) before the state question (409), as everywhere else.
        validate(appointment)
        began = actual_start or appointment.scheduled_start
        if began > now:
            raise InvalidTransition(
                {"status": ["This session has not started yet, so it cannot be marked as completed."]}
            )
        return _save(appointment, update_fields=["status", "actual_start", "actual_end"])


# A session may be started this long before its scheduled time (the patient is early, the room is free).
EARLY_START_MINUTES = 30


def appointment_start(
    *,
    appointment: Appointment,
    at: datetime | None = None,
    actor: User | None = None,
) -> Appointment:
    """Record that a session has begun (its actual start, for duration monitoring, G9); it stays scheduled
    until it is completed. It may begin up to ``EARLY_START_MINUTES`` before its time, once."""
    at = at or timezone.now()
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "started")
        if appointment.actual_start is not None:
            raise InvalidTransition(
                {"actual_start": [f"This session started at {display.time_label(appointment.actual_start)}."]}
            )
        if at < appointment.scheduled_start - timedelta(minutes=EARLY_START_MINUTES):
            raise InvalidTransition(
                {
                    "actual_start": [
                        f"This session is due at {display.datetime_label(appointment.scheduled_start)}; "
                        f"it can be started from {EARLY_START_MINUTES} minutes before."
                    ]
                }
            )
        appointment.actual_start = at
        return _save(appointment, update_fields=["actual_start"])


def appointment_mark_no_show(*, appointment: Appointment, actor: User | None = None) -> Appointment:
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "marked as a no-show")
        appointment.status = AppointmentStatus.NO_SHOW
        return _save(appointment, update_fields=["status"])


APPOINTMENT_DETAIL_FIELDS = frozenset(
    {
        "session_type",
        "appointment_type",
        "meeting_url",
        "location",
        "preparation_notes",
        "private_notes",
    }
)


def appointment_update_details(
    *,
    appointment: Appointment,
    changes: Mapping[str, Any],
    actor: User | None = None,
) -> Appointment:
    """Edit the non-scheduling details (times and status have their own services)."""
    with _acting(actor):
        appointment = _locked(Appointment, appointment.pk)
        changed = _apply(appointment, changes, APPOINTMENT_DETAIL_FIELDS)
        return _save(appointment, update_fields=changed) if changed else appointment
