"""Reads of the patient portal, each scoped to one patient and loading only the columns the portal shows.

``only()`` keeps therapist-only text (private/preparation notes, progress and billing notes) out of the
loaded rows altogether, so no serializer change can leak it by accident.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from practice.models import Appointment, FinancialRecord, MoodEntry, Patient, PaymentStatus, ProgressEntry
from practice.models.finance import MONEY_DIGITS, MONEY_PLACES, ZERO
from practice.selectors.expressions import open_bill_q

OPEN_BILL = open_bill_q()
MONEY = DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)

APPOINTMENT_COLUMNS = (
    "id",
    "patient_id",
    "therapist__first_name",
    "therapist__last_name",
    "therapist__title",
    "session_type__name",
    "scheduled_start",
    "scheduled_end",
    "appointment_type",
    "status",
    "meeting_url",
    "location",
)


def portal_appointments(
    *,
    patient: Patient,
    when: Literal["upcoming", "past"] | None = None,
    now: datetime | None = None,
) -> QuerySet[Appointment]:
    """Upcoming (from now, soonest first) or past (most recent first) appointments; all when ``when`` is
    None (most recent first). Cancelled future appointments count as upcoming so the patient sees them."""
    now = now or timezone.now()
    appointments = (
        Appointment.objects.filter(patient=patient)
        .select_related("therapist", "session_type")
        .only(*APPOINTMENT_COLUMNS)
    )
    if when == "upcoming":
        return appointments.filter(scheduled_start__gte=now).order_by("scheduled_start", "pk")
    if when == "past":
        return appointments.filter(scheduled_start__lt=now).order_by("-scheduled_start", "pk")
    return appointments.order_by("-scheduled_start", "pk")


def portal_mood_entries(*, patient: Patient) -> QuerySet[MoodEntry]:
    """The patient's mood entries, newest first. ``own_notes`` is the entry's note only when the entry is not
    part of a session (a note written with a session note is the therapist's, and stays hidden)."""
    return (
        MoodEntry.objects.filter(patient=patient)
        .only(
            "id",
            "patient_id",
            "session_note_id",
            "entry_date",
            "mood_rating",
            "energy_level",
            "anxiety_level",
            "sleep_quality",
            "created_at",
        )
        .annotate(
            own_notes=Case(
                When(session_note__isnull=True, then=F("notes")), default=Value(""), output_field=TextField()
            )
        )
        .order_by("-entry_date", "-created_at", "pk")
    )


def portal_progress(*, patient: Patient) -> QuerySet[ProgressEntry]:
    """Progress scores by area, newest first, without the therapist's notes."""
    return (
        ProgressEntry.objects.filter(patient=patient)
        .select_related("progress_area")
        .only(
            "id",
            "patient_id",
            "progress_area__id",
            "progress_area__name",
            "entry_date",
            "score",
            "baseline_score",
            "target_score",
            "created_at",
        )
        .order_by("-entry_date", "-created_at", "pk")
    )


INVOICE_COLUMNS = (
    "id",
    "patient_id",
    "record_date",
    "due_date",
    "paid_date",
    "invoice_number",
    "record_type",
    "session_type",
    "description",
    "status",
    "amount",
    "discount_applied",
    "insurer_amount",
    "late_fee",
    "patient_responsibility",
)


def portal_invoices(*, patient: Patient) -> QuerySet[FinancialRecord]:
    """Bills, newest first, with ``amount_owed``: the patient's responsibility on open bills, else zero."""
    return (
        FinancialRecord.objects.filter(patient=patient)
        .only(*INVOICE_COLUMNS)
        .annotate(amount_owed=Case(When(OPEN_BILL, then=F("patient_responsibility")), default=ZERO, output_field=MONEY))
        .order_by("-record_date", "-created_at", "pk")
    )


def portal_invoice_totals(*, patient: Patient, today: datetime | None = None) -> dict[str, Decimal | int]:
    """What the patient owes in total, how much of it is overdue (G5: marked overdue, or pending past its
    due date), and how many bills are open; one aggregate query."""
    local_today = timezone.localdate(today) if today else timezone.localdate()
    overdue = Q(status=PaymentStatus.OVERDUE) | Q(status=PaymentStatus.PENDING, due_date__lt=local_today)
    return FinancialRecord.objects.filter(patient=patient).aggregate(
        total_owed=Coalesce(Sum("patient_responsibility", filter=OPEN_BILL), ZERO),
        overdue_owed=Coalesce(Sum("patient_responsibility", filter=overdue), ZERO),
        open_count=Count("pk", filter=OPEN_BILL),
    )
