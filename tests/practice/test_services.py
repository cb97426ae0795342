"""Services: validation as ValidationError with field messages (never IntegrityError), workflows, and the
derived billing, risk, license and duration numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from practice import selectors, services
from practice.models import Appointment, AppointmentStatus, FinancialRecord, FinancialRecordType, SessionType
from practice.models.choices import canonical
from sanctuary.errors import Conflict, InvalidTransition
from tests.practice.factories import AppointmentFactory, FinancialRecordFactory, SessionNoteFactory, TherapistFactory

START = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def _book(practice, start: datetime = START, **kwargs):  # type: ignore[no-untyped-def]
    return services.appointment_book(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        scheduled_start=start,
        **kwargs,
    )


def _bill(practice, **fields):  # type: ignore[no-untyped-def]
    return FinancialRecordFactory(patient=practice.alice_patient, record_date=date(2030, 1, 1), **fields)


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


def test_scales_are_validated_with_field_messages(practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.mood_entry_record(patient=practice.alice_patient, entry_date=date(2030, 1, 1), mood_rating=11)
    assert "mood_rating" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.progress_entry_record(
            patient=practice.alice_patient,
            entry_date=date(2030, 1, 1),
            score=5,
            target_score=0,
        )
    assert "target_score" in error.value.message_dict


def test_the_legacy_spellings_are_stored_canonically_on_every_path(practice) -> None:  # type: ignore[no-untyped-def]
    assert canonical(AppointmentStatus, "no-show") == "no_show"
    assert canonical(FinancialRecordType, "cancellation-fee") == "cancellation_fee"
    appointment = AppointmentFactory(patient=practice.alice_patient)
    record = FinancialRecordFactory(patient=practice.alice_patient)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE practice_appointment SET status = 'no-show' WHERE id = %s", [appointment.pk])
        cursor.execute("UPDATE practice_financialrecord SET record_type = 'late-fee' WHERE id = %s", [record.pk])
    appointment.refresh_from_db()
    record.refresh_from_db()
    assert (appointment.status, record.record_type) == ("no_show", "late_fee")
    created = services.financial_record_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        amount=Decimal("50"),
        record_type="cancellation-fee",
        record_date=date(2030, 1, 1),
    )
    assert created.record_type == "cancellation_fee"


def test_a_duplicate_invoice_number_is_a_field_error_but_other_therapists_may_reuse_it(practice) -> None:  # type: ignore[no-untyped-def]
    def bill(therapist, patient):  # type: ignore[no-untyped-def]
        return services.financial_record_create(
            therapist=therapist,
            patient=patient,
            amount=Decimal("100"),
            record_type="session",
            record_date=date(2030, 1, 1),
            invoice_number="INV-7",
        )

    bill(practice.alice_therapist, practice.alice_patient)
    bill(practice.bob_therapist, practice.bob_patient)
    with pytest.raises(ValidationError) as error:
        bill(practice.alice_therapist, practice.alice_patient)
    assert "invoice_number" in error.value.message_dict


@pytest.mark.parametrize(
    ("coverage", "copay", "discount", "insurer", "patient_pays"),
    [
        (None, None, "0", "0.00", "200.00"),
        ("80", None, "0", "160.00", "40.00"),
        ("80", None, "50", "120.00", "30.00"),
        (None, "30", "0", "170.00", "30.00"),
        (None, "250", "0", "0.00", "200.00"),
    ],
)
def test_insurance_coverage_gives_the_patient_responsibility(  # type: ignore[no-untyped-def]
    practice,
    coverage,
    copay,
    discount,
    insurer,
    patient_pays,
) -> None:
    record = services.financial_record_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        amount=Decimal("200.00"),
        record_type="session",
        record_date=date(2030, 1, 1),
        insurer_name="Medibank",
        insurance_policy_number="P-1",
        coverage_percent=Decimal(coverage) if coverage else None,
        copay_amount=Decimal(copay) if copay else None,
        discount_applied=Decimal(discount),
    )
    assert (record.insurer_amount, record.patient_responsibility) == (Decimal(insurer), Decimal(patient_pays))


def test_coverage_and_copay_together_are_rejected(practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.financial_record_create(
            therapist=practice.alice_therapist,
            patient=practice.alice_patient,
            amount=Decimal("200.00"),
            record_type="session",
            record_date=date(2030, 1, 1),
            coverage_percent=Decimal("50"),
            copay_amount=Decimal("10"),
        )
    assert "copay_amount" in error.value.message_dict


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [(0, None), (1, "0-30"), (30, "0-30"), (31, "31-60"), (61, "61-90"), (120, "90+")],
)
def test_overdue_is_derived_from_due_date_and_aged_into_buckets(practice, days_late: int, bucket: str | None) -> None:  # type: ignore[no-untyped-def]
    today = date(2030, 12, 31)
    FinancialRecordFactory(
        patient=practice.alice_patient,
        record_date=date(2030, 1, 1),
        due_date=today - timedelta(days=days_late),
    )
    ageing = selectors.overdue_ageing(therapist=practice.alice_therapist, today=today)
    rows = [(r.days_overdue, r.aging_bucket) for r in ageing]
    assert rows == ([] if bucket is None else [(days_late, bucket)])
    [summary] = selectors.financial_summary(therapist=practice.alice_therapist, today=today)
    assert summary["total_overdue"] == (Decimal("0.00") if bucket is None else Decimal("150.00"))


def test_paid_and_voided_bills_are_never_overdue(practice) -> None:  # type: ignore[no-untyped-def]
    today = date(2030, 12, 31)
    paid = _bill(practice, due_date=date(2030, 2, 1))
    void = _bill(practice, due_date=date(2030, 2, 1))
    services.financial_record_pay(record=paid, paid_date=today, payment_method="credit_card")
    services.financial_record_void(record=void, reason="Duplicate")
    assert list(selectors.overdue_ageing(therapist=practice.alice_therapist, today=today)) == []
    with pytest.raises(ValidationError):
        services.financial_record_pay(record=void, paid_date=today, payment_method="cash")


def test_a_late_fee_is_charged_only_when_past_due_and_adds_to_what_the_patient_owes(practice) -> None:  # type: ignore[no-untyped-def]
    record = _bill(practice, due_date=date(2030, 1, 31))
    with pytest.raises(ValidationError) as error:
        services.financial_record_assess_late_fee(record=record, fee=Decimal("25"), today=date(2030, 1, 15))
    assert "late_fee" in error.value.message_dict
    charged = services.financial_record_assess_late_fee(record=record, fee=Decimal("25"), today=date(2030, 2, 15))
    assert (charged.status, charged.patient_responsibility) == ("overdue", Decimal("175.00"))


def test_pending_bills_past_due_can_be_flipped_to_overdue_in_bulk(practice) -> None:  # type: ignore[no-untyped-def]
    late = _bill(practice, due_date=date(2030, 1, 31))
    _bill(practice, due_date=date(2030, 3, 1))
    assert services.financial_records_mark_overdue(today=date(2030, 2, 15)) == 1
    late.refresh_from_db()
    assert late.status == "overdue"


def test_the_risk_list_shows_patients_whose_latest_assessment_is_high_or_imminent(practice) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2030, 1, 1, tzinfo=UTC)
    kwargs = {"therapist": practice.alice_therapist, "patient": practice.alice_patient, "content": "c"}
    services.session_note_create(
        session_date=date(2030, 1, 1),
        suicide_risk_level="high",
        safety_plan="Call 13 11 14",
        crisis_indicators=["hopelessness"],
        risk_assessed_at=when,
        **kwargs,
    )
    rows = list(selectors.at_risk_patients(therapist=practice.alice_therapist))
    assert [(p.pk, p.risk_level) for p in rows] == [(practice.alice_patient.pk, "high")]
    services.session_note_create(
        session_date=date(2030, 1, 8), suicide_risk_level="low", risk_assessed_at=when + timedelta(days=7), **kwargs
    )
    assert list(selectors.at_risk_patients(therapist=practice.alice_therapist)) == []
    assert list(selectors.at_risk_patients(therapist=practice.bob_therapist)) == []


def test_a_high_risk_assessment_needs_a_safety_plan(practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.session_note_create(
            therapist=practice.alice_therapist,
            patient=practice.alice_patient,
            session_date=date(2030, 1, 1),
            content="c",
            suicide_risk_level="imminent",
        )
    assert "safety_plan" in error.value.message_dict


def test_licenses_expiring_within_60_days_are_listed(db: None) -> None:
    today = date(2030, 1, 1)
    soon = TherapistFactory(license_expiry=today + timedelta(days=59))
    expired = TherapistFactory(license_expiry=today - timedelta(days=1))
    TherapistFactory(license_expiry=today + timedelta(days=61))
    TherapistFactory(license_expiry=None)
    rows = [(t.pk, t.days_until_expiry) for t in selectors.licenses_expiring(today=today)]
    assert rows == [(expired.pk, -1), (soon.pk, 59)]
    assert soon.license_expires_within(60, today=today)


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


def test_patients_are_archived_not_deleted(practice) -> None:  # type: ignore[no-untyped-def]
    SessionNoteFactory(patient=practice.alice_patient)
    archived = services.patient_archive(patient=practice.alice_patient)
    assert archived.status == "Inactive"
    assert archived.archived_at is not None
    assert FinancialRecord.objects.count() == 0
