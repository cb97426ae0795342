"""Billing: financial records with insurance coverage (G4), derived overdue ageing (G5) and late fees."""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.db import models
from django.db.models import F, Q, Value

from practice.models.choices import (
    OPEN_PAYMENT_STATUSES,
    FinancialRecordType,
    InsuranceClaimStatus,
    PaymentMethod,
    PaymentStatus,
    SessionKind,
)
from practice.models.history import clinical_history
from sanctuary import display
from sanctuary.models import TimeStampedModel, choices_check

# Money is DECIMAL(10,2) everywhere, as in the original schema.
MONEY_DIGITS, MONEY_PLACES = 10, 2
# Sums of many amounts (the dashboards' and the portal's totals): the precision their serializers document.
MONEY_TOTAL_DIGITS = 12
ZERO = Value(Decimal("0.00"), output_field=models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES))

# G4, computed by PostgreSQL on every write (raw SQL included), so it can never disagree with its inputs:
# the insurer pays either a percentage of the billable amount (fee less discount) or everything above the
# patient's copay; the patient owes the rest plus any late fee.
PATIENT_RESPONSIBILITY = """
    NEW.insurer_amount := CASE
        WHEN NEW.coverage_percent IS NOT NULL
            THEN round((NEW.amount - NEW.discount_applied) * NEW.coverage_percent / 100, 2)
        WHEN NEW.copay_amount IS NOT NULL
            THEN greatest(NEW.amount - NEW.discount_applied - NEW.copay_amount, 0)
        ELSE 0
    END;
    NEW.patient_responsibility := NEW.amount - NEW.discount_applied - NEW.insurer_amount + NEW.late_fee;
    RETURN NEW;
"""


@clinical_history()
class FinancialRecord(TimeStampedModel):
    """Billing, payments, and financial transactions."""

    Type = FinancialRecordType
    Status = PaymentStatus

    patient = models.ForeignKey(
        "practice.Patient",
        related_name="financial_records",
        # Financial records are kept with the patient; archive the patient instead of deleting it.
        on_delete=models.PROTECT,
    )
    appointment = models.ForeignKey(
        "practice.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="financial_records",
    )
    therapist = models.ForeignKey(
        "practice.Therapist",
        on_delete=models.PROTECT,
        related_name="financial_records",
        # Covered by the (therapist, record_date) index below.
        db_index=False,
    )
    record_date = models.DateField()
    transaction_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    record_type = models.CharField(max_length=20, choices=FinancialRecordType.choices)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    session_type = models.CharField(max_length=20, choices=SessionKind.choices, blank=True)
    description = models.TextField(blank=True)
    invoice_number = models.CharField(max_length=50, blank=True)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, blank=True)
    late_fee = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, default=Decimal("0.00"))
    discount_applied = models.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal("0.00"),
    )
    notes = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    paid_date = models.DateField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    # G4: insurance coverage.
    insurer_name = models.CharField(max_length=200, blank=True)
    insurance_policy_number = models.CharField(max_length=100, blank=True)
    insurance_claim_id = models.CharField(max_length=100, blank=True)
    insurance_claim_status = models.CharField(max_length=20, choices=InsuranceClaimStatus.choices, blank=True)
    coverage_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Share of the bill the insurer pays.",
    )
    copay_amount = models.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        help_text="Fixed amount the patient pays; the insurer pays the rest.",
    )
    # Maintained by the ``patient_responsibility`` trigger below (not GeneratedField: its system check needs
    # a live database connection, which would break ``check --deploy`` in CI).
    insurer_amount = models.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal("0.00"),
        editable=False,
    )
    patient_responsibility = models.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal("0.00"),
        editable=False,
    )

    class Meta:
        ordering = ["-record_date", "-created_at"]
        db_table_comment = "Billing, payments, and financial transactions"
        constraints = [
            choices_check("record_type", FinancialRecordType, "practice_financialrecord_record_type_valid"),
            choices_check("status", PaymentStatus, "practice_financialrecord_status_valid"),
            models.CheckConstraint(
                condition=Q(session_type="") | Q(session_type__in=SessionKind.values),
                name="practice_financialrecord_session_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(payment_method="") | Q(payment_method__in=PaymentMethod.values),
                name="practice_financialrecord_payment_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(insurance_claim_status="") | Q(insurance_claim_status__in=InsuranceClaimStatus.values),
                name="practice_financialrecord_claim_status_valid",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="practice_financialrecord_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(late_fee__gte=0),
                name="practice_financialrecord_late_fee_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(discount_applied__gte=0) & Q(discount_applied__lte=F("amount")),
                name="practice_financialrecord_discount_within_amount",
                violation_error_message="The discount must be between zero and the amount.",
            ),
            models.CheckConstraint(
                condition=Q(coverage_percent__isnull=True)
                | (Q(coverage_percent__gte=0) & Q(coverage_percent__lte=100)),
                name="practice_financialrecord_coverage_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(copay_amount__isnull=True) | Q(copay_amount__gte=0),
                name="practice_financialrecord_copay_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(coverage_percent__isnull=True) | Q(copay_amount__isnull=True),
                name="practice_financialrecord_coverage_or_copay",
                violation_error_message="Give either a coverage percentage or a copay, not both.",
            ),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.PAID) | Q(paid_date__isnull=False),
                name="practice_financialrecord_paid_has_paid_date",
                violation_error_message="A paid record needs the date it was paid.",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=F("record_date")),
                name="practice_financialrecord_due_on_or_after_record",
            ),
            models.UniqueConstraint(
                fields=["therapist", "invoice_number"],
                condition=~Q(invoice_number=""),
                name="practice_financialrecord_invoice_per_therapist_unique",
                violation_error_message="This invoice number is already used by this therapist.",
            ),
        ]
        indexes = [
            # financial_summary / financial_overview: a therapist's records, filtered by record-date period.
            models.Index(fields=["therapist", "record_date"], name="practice_fin_therapist_date"),
            # overdue_ageing (G5): a therapist's open records by due date.
            models.Index(
                fields=["therapist", "due_date"],
                condition=Q(status__in=list(OPEN_PAYMENT_STATUSES)),
                name="practice_fin_open_due",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="patient_responsibility",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=PATIENT_RESPONSIBILITY,
            ),
            # Import paths (fixtures, raw SQL) may carry the seed document's spelling; store the canonical one.
            pgtrigger.Trigger(
                name="record_type_legacy_spelling",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__record_type__in=["cancellation-fee", "late-fee"]),
                func="NEW.record_type := replace(NEW.record_type, '-', '_'); RETURN NEW;",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_record_type_display()} {display.money(self.amount)}, {display.date_label(self.record_date)}"
            f" – {self.patient.full_name} ({self.get_status_display().lower()})"
        )
