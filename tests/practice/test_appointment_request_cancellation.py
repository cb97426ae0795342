"""``appointment_request_cancellation``: a patient cancels their own upcoming scheduled appointment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from practice import services
from practice.models import AppointmentStatus
from sanctuary.errors import InvalidTransition
from tests.practice.factories import AppointmentFactory, PatientFactory

NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def appointment(practice):  # type: ignore[no-untyped-def]
    return AppointmentFactory(
        patient=practice.alice_patient,
        scheduled_start=NOW + timedelta(days=2),
        scheduled_end=NOW + timedelta(days=2, minutes=50),
    )


def test_it_cancels_and_records_the_patients_reason(practice, appointment) -> None:  # type: ignore[no-untyped-def]
    result = services.appointment_request_cancellation(
        appointment=appointment,
        patient=practice.alice_patient,
        reason=" Flu ",
        now=NOW,
    )
    appointment.refresh_from_db()
    assert result.status == appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Cancelled by the patient: Flu"


def test_it_needs_a_reason(practice, appointment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.appointment_request_cancellation(
            appointment=appointment, patient=practice.alice_patient, reason="  ", now=NOW
        )
    assert "reason" in error.value.message_dict
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_it_refuses_another_patients_appointment(practice, appointment) -> None:  # type: ignore[no-untyped-def]
    stranger = PatientFactory(therapist=practice.alice_therapist)
    with pytest.raises(ValidationError) as error:
        services.appointment_request_cancellation(appointment=appointment, patient=stranger, reason="x", now=NOW)
    assert "appointment" in error.value.message_dict
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_a_started_appointment_is_the_therapists_to_settle(practice, appointment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidTransition):
        services.appointment_request_cancellation(
            appointment=appointment,
            patient=practice.alice_patient,
            reason="late",
            now=appointment.scheduled_start,
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_only_a_scheduled_appointment_can_be_cancelled(practice, appointment) -> None:  # type: ignore[no-untyped-def]
    services.appointment_complete(appointment=appointment, now=appointment.scheduled_end)
    with pytest.raises(InvalidTransition) as error:
        services.appointment_request_cancellation(
            appointment=appointment, patient=practice.alice_patient, reason="x", now=NOW
        )
    assert "status" in error.value.message_dict
