"""Expressions the selectors share: date and time differences, the derived per-patient numbers (G2), the
overdue rule (G5) and the name search (G1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import (
    BooleanField,
    Count,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from practice.models import OPEN_PAYMENT_STATUSES, Appointment, AppointmentStatus, Patient, PaymentStatus, SessionNote
from practice.models.patients import full_name_expression


class DaysBetween(Func):
    """``later - earlier`` for two dates, in whole days (PostgreSQL date subtraction is an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


class MinutesBetween(Func):
    """Whole minutes between two timestamps."""

    arg_joiner = " - "
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 60)::integer"
    output_field = IntegerField()


class ILike(Func):
    """``expression ILIKE pattern`` – unlike Django's ``icontains`` (UPPER(..) LIKE), a trigram GIN index
    on the bare expression serves it."""

    arg_joiner = " ILIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def count_subquery(queryset: QuerySet, outer: str) -> Coalesce:
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def session_stats(*, now: datetime) -> dict[str, Any]:
    """G2 for ``Patient`` querysets: ``total_sessions`` (documented sessions = non-template notes, as the
    original dashboard counts them), ``last_session_date`` (latest note) and ``next_session_at`` (earliest
    scheduled appointment from ``now``). Computed at read time, so inserts, deletes and status changes can
    never leave them stale."""
    notes = SessionNote.objects.filter(patient=OuterRef("pk"), is_template=False)
    upcoming = Appointment.objects.filter(
        patient=OuterRef("pk"),
        status=AppointmentStatus.SCHEDULED,
        scheduled_start__gte=now,
    )
    return {
        "total_sessions": count_subquery(notes, "patient"),
        "last_session_date": Subquery(notes.order_by("-session_date").values("session_date")[:1]),
        "next_session_at": Subquery(upcoming.order_by("scheduled_start").values("scheduled_start")[:1]),
    }


def open_bill_q(prefix: str = "") -> Q:
    """A bill the patient still owes (``OPEN_PAYMENT_STATUSES``)."""
    return Q(**{f"{prefix}status__in": OPEN_PAYMENT_STATUSES})


def overdue_q(prefix: str, today: date) -> Q:
    """G5: overdue = marked overdue, or still pending after its due date."""
    return Q(**{f"{prefix}status": PaymentStatus.OVERDUE}) | Q(
        **{f"{prefix}status": PaymentStatus.PENDING, f"{prefix}due_date__lt": today}
    )


def normalise_search(query: str) -> str:
    return " ".join(query.split())


def like_pattern(query: str) -> str:
    """``%query%`` with LIKE's wildcards in the query escaped."""
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def name_search(patients: QuerySet[Patient], *, query: str, pattern: str) -> QuerySet[Patient]:
    """G1 on a patient queryset: substring (ILIKE ``pattern``) or trigram word similarity to ``query`` on the
    full name, best matches first. Both predicates use ``practice_patient_name_trgm``, which indexes this
    exact name expression."""
    full_name = full_name_expression()
    return (
        patients.annotate(patient_name=full_name, similarity=TrigramWordSimilarity(query, full_name))
        .filter(Q(ILike(full_name, Value(pattern))) | Q(patient_name__trigram_word_similar=query))
        .order_by("-similarity", "last_name", "first_name")
    )
