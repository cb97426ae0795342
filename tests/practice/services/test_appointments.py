"""practice.services.appointments: booking, rescheduling and the appointment workflow (overlaps are conflicts on
the start field, never an IntegrityError), and the duration report over what it records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from practice import selectors, services
from practice.models import Appointment, AppointmentStatus, SessionType
from sanctuary.errors import Conflict, InvalidTransition

START = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def _book(practice, start: datetime = START, **kwargs):  # type: ignore[no-untyped-def]
    return services.appointment_book(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        scheduled_start=start,
        **kwargs,
    )


def test_booking_defaults_the_end_to_the_session_types_duration(practice) -> None:  # type: ignore[no-untyped-def]
    couples = SessionType.objects.create(name="Couples", default_duration_minutes=60)
    appointment = _book(practice, session_type=couples)
    assert appointment.scheduled_end - appointment.scheduled_start == timedelta(minutes=60)


def test_it_rejects_an_overlapping_appointment_as_a_conflict_on_the_start_field(practice) -> None:  # type: ignore[no-untyped-def]
    _book(practice)
    with pytest.raises(Conflict) as error:
        _book(practice, start=START + timedelta(minutes=20))
    # 09:00 UTC is 7 pm in Melbourne; after 7:50 pm a 50-minute session no longer fits the 8 am–8 pm day.
    assert error.value.message_dict["scheduled_start"] == [
        "The therapist already has an appointment at this time: Ada Alpha, Mon 6 May 2030, 7:00 – 7:50 pm."
        " Next free slot: Tue 7 May 2030, 8:00 am."
    ]


def test_bad_input_is_reported_before_any_clash(practice) -> None:  # type: ignore[no-untyped-def]
    _book(practice)
    with pytest.raises(ValidationError) as error:
        _book(practice, start=START + timedelta(minutes=20), meeting_url="not a url")
    assert not isinstance(error.value, Conflict)
    assert set(error.value.message_dict) == {"meeting_url"}
    with pytest.raises(ValidationError) as error:  # a reversed range is an input error, not an overlap
        _book(practice, start=START + timedelta(minutes=20), scheduled_end=START + timedelta(minutes=10))
    assert set(error.value.message_dict) == {"scheduled_end"}


def test_rescheduling_onto_another_appointment_is_a_conflict(practice) -> None:  # type: ignore[no-untyped-def]
    _book(practice)
    later = _book(practice, start=START + timedelta(hours=2))
    with pytest.raises(Conflict):
        services.appointment_reschedule(appointment=later, scheduled_start=START + timedelta(minutes=30))


def test_a_booking_race_past_validation_still_ends_as_a_validation_error(practice, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _book(practice)
    monkeypatch.setattr(services, "validate", lambda instance: None)  # as if both requests validated at once
    with pytest.raises(Conflict) as error:
        _book(practice, start=START + timedelta(minutes=20))
    assert "scheduled_start" in error.value.message_dict
    assert Appointment.objects.count() == 1


def test_back_to_back_and_cancelled_slots_do_not_count_as_overlaps(practice) -> None:  # type: ignore[no-untyped-def]
    first = _book(practice)
    _book(practice, start=first.scheduled_end)
    services.appointment_cancel(appointment=first, reason="Clash")
    assert _book(practice, start=START).status == AppointmentStatus.SCHEDULED


def test_it_rejects_an_end_before_the_start_and_a_foreign_patient(practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        _book(practice, scheduled_end=START - timedelta(minutes=1))
    assert "scheduled_end" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.appointment_book(
            therapist=practice.alice_therapist,
            patient=practice.bob_patient,
            scheduled_start=START,
        )
    assert "patient" in error.value.message_dict


def test_only_a_scheduled_appointment_can_be_rescheduled_cancelled_or_completed(practice) -> None:  # type: ignore[no-untyped-def]
    appointment = _book(practice)
    moved = services.appointment_reschedule(appointment=appointment, scheduled_start=START + timedelta(days=1))
    assert moved.scheduled_end - moved.scheduled_start == timedelta(minutes=50)
    services.appointment_mark_no_show(appointment=moved)
    for action in (
        lambda: services.appointment_cancel(appointment=moved, reason="x"),
        lambda: services.appointment_complete(appointment=moved),
        lambda: services.appointment_reschedule(appointment=moved, scheduled_start=START),
    ):
        with pytest.raises(InvalidTransition) as error:
            action()
        assert "status" in error.value.message_dict


def test_duration_monitoring_reports_over_and_under_runs(practice) -> None:  # type: ignore[no-untyped-def]
    def held(offset_hours: int, minutes: int) -> Appointment:
        appointment = _book(practice, start=START + timedelta(hours=offset_hours))
        return services.appointment_complete(
            appointment=appointment,
            actual_start=appointment.scheduled_start,
            actual_end=appointment.scheduled_start + timedelta(minutes=minutes),
            now=appointment.scheduled_end,
        )

    held(0, 65)
    held(2, 50)
    held(4, 30)
    rows = [
        (a.planned_minutes, a.held_minutes, a.variance_minutes, a.duration_status)
        for a in selectors.appointment_durations(therapist=practice.alice_therapist)
    ]
    assert rows == [(50, 30, -20, "underrun"), (50, 50, 0, "on_time"), (50, 65, 15, "overrun")]
    assert Appointment.objects.order_by("scheduled_start").first().overrun_minutes == 15
