"""Canonical enum values of the practice domain (seed-facts A.2) and the legacy spellings we still accept.

The original schema and its seed document disagree on a few spellings (``no_show`` vs ``no-show``,
``cancellation_fee`` vs ``cancellation-fee``, ``late-fee``). We store exactly one canonical value per member;
CHECK constraints reject anything else, and import paths map the other spelling with :func:`canonical`.
"""

from __future__ import annotations

from django.db import models


class SessionKind(models.TextChoices):
    """``session_type_enum``: preferred session type of a patient, session type of a bill."""

    INDIVIDUAL = "Individual", "Individual"
    COUPLES = "Couples", "Couples"
    FAMILY = "Family", "Family"


class PatientStatus(models.TextChoices):
    ACTIVE = "Active", "Active"
    INACTIVE = "Inactive", "Inactive"
    COMPLETED = "Completed", "Completed"


class AppointmentType(models.TextChoices):
    VIRTUAL = "Virtual", "Virtual"
    IN_PERSON = "In-Person", "In person"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No show"


# Statuses that occupy the therapist's calendar (the overlap exclusion constraint applies to them).
LIVE_APPOINTMENT_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.COMPLETED)


class FinancialRecordType(models.TextChoices):
    SESSION = "session", "Session"
    CONSULTATION = "consultation", "Consultation"
    ASSESSMENT = "assessment", "Assessment"
    CANCELLATION_FEE = "cancellation_fee", "Cancellation fee"
    LATE_FEE = "late_fee", "Late fee"


class PaymentStatus(models.TextChoices):
    PAID = "paid", "Paid"
    PENDING = "pending", "Pending"
    OVERDUE = "overdue", "Overdue"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


# An open bill: the patient still owes it (the one definition; billing's edit rules, the dashboards' balances,
# the portal's totals and the open-bills index all use it).
OPEN_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.OVERDUE)


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CHECK = "check", "Cheque"
    CREDIT_CARD = "credit_card", "Credit card"
    DEBIT_CARD = "debit_card", "Debit card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    INSURANCE = "insurance", "Insurance"
    OTHER = "other", "Other"


class InsuranceClaimStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", "Not submitted"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    PAID = "paid", "Paid"


class RiskLevel(models.TextChoices):
    """Suicide-risk level of a risk assessment (G7)."""

    NONE = "none", "None"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    IMMINENT = "imminent", "Imminent"


# Risk levels listed on the therapist's dashboard.
ELEVATED_RISK_LEVELS = (RiskLevel.HIGH, RiskLevel.IMMINENT)


# The other spelling of a value (seed doc S1, hand-written imports) -> the canonical value we store.
LEGACY_SPELLINGS: dict[str, str] = {
    "no-show": AppointmentStatus.NO_SHOW,
    "cancellation-fee": FinancialRecordType.CANCELLATION_FEE,
    "late-fee": FinancialRecordType.LATE_FEE,
    "in_person": AppointmentType.IN_PERSON,
    "in-person": AppointmentType.IN_PERSON,
}


def canonical(choices: type[models.TextChoices], value: str) -> str:
    """Map an imported value to its canonical member value; unknown values are returned unchanged
    (so that validation reports them) rather than guessed."""
    if value in choices.values:
        return value
    mapped = LEGACY_SPELLINGS.get(value.strip().lower())
    if mapped is not None and mapped in choices.values:
        return mapped
    for member in choices.values:
        if member.lower() == value.strip().lower():
            return member
    return value
