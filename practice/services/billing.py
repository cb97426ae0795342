"""Billing: bills, payments, voids, late fees and the overdue sweep."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practice.models import (
    OPEN_PAYMENT_STATUSES,
    Appointment,
    FinancialRecord,
    FinancialRecordType,
    Patient,
    PaymentMethod,
    PaymentStatus,
    SessionKind,
    Therapist,
)
from practice.models.choices import canonical
from practice.services.base import (
    _acting,
    _apply,
    _locked,
    _require_same_therapist,
    _save,
)
from sanctuary.errors import InvalidTransition

# --- billing ------------------------------------------------------------------------------------------------


def financial_record_create(
    *,
    therapist: Therapist,
    patient: Patient,
    amount: Decimal,
    record_type: str,
    record_date: date,
    due_date: date | None = None,
    appointment: Appointment | None = None,
    session_type: str = "",
    description: str = "",
    invoice_number: str = "",
    discount_applied: Decimal = Decimal("0.00"),
    insurer_name: str = "",
    insurance_policy_number: str = "",
    insurance_claim_id: str = "",
    insurance_claim_status: str = "",
    coverage_percent: Decimal | None = None,
    copay_amount: Decimal | None = None,
    notes: str = "",
    actor: User | None = None,
) -> FinancialRecord:
    _require_same_therapist(therapist, patient)
    if appointment is not None and appointment.patient_id != patient.pk:
        raise ValidationError({"appointment": ["This appointment belongs to another patient."]})
    record = FinancialRecord(
        therapist=therapist,
        patient=patient,
        appointment=appointment,
        amount=amount,
        record_type=canonical(FinancialRecordType, record_type),
        record_date=record_date,
        due_date=due_date,
        session_type=canonical(SessionKind, session_type) if session_type else "",
        description=description,
        invoice_number=invoice_number.strip(),
        discount_applied=discount_applied,
        insurer_name=insurer_name,
        insurance_policy_number=insurance_policy_number,
        insurance_claim_id=insurance_claim_id,
        insurance_claim_status=insurance_claim_status,
        coverage_percent=coverage_percent,
        copay_amount=copay_amount,
        notes=notes,
        status=PaymentStatus.PENDING,
    )
    with _acting(actor):
        _save(record)
    # Reload: insurer_amount and patient_responsibility are computed by PostgreSQL.
    record.refresh_from_db(fields=["insurer_amount", "patient_responsibility"])
    return record


# What may still change on an open bill; payment, voiding and late fees have their own services, and a paid,
# voided or refunded bill is a financial record that only its notes may be added to.
BILL_FIELDS = frozenset(
    {
        "record_date",
        "due_date",
        "amount",
        "record_type",
        "session_type",
        "appointment",
        "description",
        "invoice_number",
        "discount_applied",
        "insurer_name",
        "insurance_policy_number",
        "insurance_claim_id",
        "insurance_claim_status",
        "coverage_percent",
        "copay_amount",
        "notes",
    }
)
CLOSED_BILL_FIELDS = frozenset({"notes", "insurance_claim_id", "insurance_claim_status"})


def financial_record_update(
    *,
    record: FinancialRecord,
    changes: Mapping[str, Any],
    actor: User | None = None,
) -> FinancialRecord:
    with _acting(actor):
        record = _locked(FinancialRecord, record.pk)
        allowed = BILL_FIELDS if record.status in OPEN_PAYMENT_STATUSES else CLOSED_BILL_FIELDS
        if record.status not in OPEN_PAYMENT_STATUSES and set(changes) - allowed:
            current = record.get_status_display().lower()
            raise InvalidTransition(
                {
                    name: [f"This bill is {current}; only its notes and claim details can change."]
                    for name in sorted(set(changes) - allowed)
                }
            )
        changed = _apply(record, changes, allowed)
        if (
            "appointment" in changed
            and record.appointment is not None
            and record.appointment.patient_id != record.patient_id
        ):
            raise ValidationError({"appointment": ["This appointment belongs to another patient."]})
        if not changed:
            return record
        _save(record, update_fields=changed)
    record.refresh_from_db(fields=["insurer_amount", "patient_responsibility"])
    return record


def _locked_open(record: FinancialRecord, verb: str) -> FinancialRecord:
    record = _locked(FinancialRecord, record.pk)
    if record.status not in OPEN_PAYMENT_STATUSES:
        current = record.get_status_display()
        raise InvalidTransition({"status": [f"Only an open bill can be {verb}; this one is {current}."]})
    return record


def financial_record_pay(
    *,
    record: FinancialRecord,
    paid_date: date,
    payment_method: str,
    transaction_date: date | None = None,
    actor: User | None = None,
) -> FinancialRecord:
    with _acting(actor):
        record = _locked_open(record, "paid")
        record.status = PaymentStatus.PAID
        record.paid_date = paid_date
        record.payment_method = canonical(PaymentMethod, payment_method)
        record.transaction_date = transaction_date or paid_date
        return _save(record, update_fields=["status", "paid_date", "payment_method", "transaction_date"])


def financial_record_void(
    *,
    record: FinancialRecord,
    reason: str,
    actor: User | None = None,
) -> FinancialRecord:
    """Cancel an unpaid bill (a paid one is refunded, not voided). The row stays for the audit trail."""
    if not reason.strip():
        raise ValidationError({"void_reason": ["Say why the bill is voided."]})
    with _acting(actor):
        record = _locked_open(record, "voided")
        record.status = PaymentStatus.CANCELLED
        record.void_reason = reason.strip()
        return _save(record, update_fields=["status", "void_reason"])


def financial_record_assess_late_fee(
    *,
    record: FinancialRecord,
    fee: Decimal,
    today: date,
    actor: User | None = None,
) -> FinancialRecord:
    """G5: charge a late fee on a bill that is past due; the bill becomes (and stays) overdue."""
    with _acting(actor):
        record = _locked_open(record, "charged a late fee")
        past_due = record.status == PaymentStatus.OVERDUE or (record.due_date is not None and record.due_date < today)
        if not past_due:
            raise ValidationError({"late_fee": ["The bill is not past its due date."]})
        record.late_fee = fee
        record.status = PaymentStatus.OVERDUE
        _save(record, update_fields=["late_fee", "status"])
    record.refresh_from_db(fields=["patient_responsibility"])
    return record


def financial_records_mark_overdue(*, today: date, therapist: Therapist | None = None) -> int:
    """Flip pending bills past their due date to ``overdue`` in one UPDATE (a periodic job; the selectors
    already treat such bills as overdue, this keeps the stored status honest for exports)."""
    records = FinancialRecord.objects.filter(status=PaymentStatus.PENDING, due_date__lt=today)
    if therapist is not None:
        records = records.filter(therapist=therapist)
    with transaction.atomic():
        return records.update(status=PaymentStatus.OVERDUE, updated_at=timezone.now())
