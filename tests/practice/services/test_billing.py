"""practice.services.billing: invoices, coverage, late fees and overdue (derived from the due date, aged into
buckets); the legacy spellings of statuses and record types stored canonically on every path."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from practice import selectors, services
from practice.models import AppointmentStatus, FinancialRecordType
from practice.models.choices import canonical
from tests.practice.factories import AppointmentFactory, FinancialRecordFactory


def _bill(practice, **fields):  # type: ignore[no-untyped-def]
    return FinancialRecordFactory(patient=practice.alice_patient, record_date=date(2030, 1, 1), **fields)


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
