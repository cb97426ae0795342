"""The therapist's hot reads: the three original views, the patient summary, the patient list and the name
search – each ONE statement, compiled once per process (``sanctuary.db.QueryTemplate``) and returned as
rows (dicts) of exactly the columns its page shows.

Issue 7 measured Django building and compiling these querysets at 2–6 ms a call, more than PostgreSQL took
to run them, and model instances for 50 rows at another 1–3 ms. The querysets below are ordinary ORM code;
only their compiled SQL is reused. Each function returns a ``BoundQuery``: iterate it for every row, slice
it for a page (``LIMIT``/``OFFSET``), ``count()`` it – DRF's paginator does exactly that – or take
``first()``. The mechanism buys the dashboards' bench figure: +7–10 ms over raw SQL before it, +0.2–0.7 ms
with it (bench/RESULTS.md, ``bench.queries``).

How to add a filter to one of these reads:

1. add it to the queryset in the build function as ordinary ORM code, its value a keyword argument;
2. name that argument in the template's ``slots`` with its type (UUID, datetime, date or str); the value must
   reach the SQL unchanged, so pass a ``LIKE`` pattern or a list's members as their own slots, never a
   lookup Django rewrites (``icontains``), which is refused when the template compiles;
3. if the filter also narrows what the page counts, add it to the count builder and to ``count_slots``;
4. an optional filter is a *shape*: give the cached template factory a flag for it (as ``by_status`` below)
   and add the slot only when it is on, so each shape compiles to its own statement;
5. give the selector's query-count test a case with the filter (one statement, whatever the rows).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import models
from django.db.models import Avg, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from practice.models import (
    Appointment,
    AppointmentStatus,
    FinancialRecord,
    MoodEntry,
    Patient,
    PatientStatus,
    PaymentStatus,
    Therapist,
)
from practice.models.finance import MONEY_DIGITS, MONEY_PLACES, ZERO
from practice.models.patients import full_name_expression
from practice.selectors.expressions import (
    like_pattern,
    name_search,
    normalise_search,
    open_bill_q,
    overdue_q,
    session_stats,
)
from sanctuary.db import BoundQuery, QueryTemplate


def _therapist_name() -> Concat:
    return Concat("therapist__first_name", Value(" "), "therapist__last_name", output_field=CharField())


# --- the three original views ---------------------------------------------------------------------------------


def _upcoming(therapist: UUID, now: datetime) -> QuerySet:
    return (
        Appointment.objects.filter(
            therapist=therapist,
            status=AppointmentStatus.SCHEDULED,
            scheduled_start__gte=now,
        )
        .values(
            "id",
            "patient",
            "session_type",
            "scheduled_start",
            "scheduled_end",
            "appointment_type",
            "status",
            "location",
            "meeting_url",
            patient_name=Concat("patient__first_name", Value(" "), "patient__last_name", output_field=CharField()),
            patient_avatar=F("patient__avatar_url"),
            therapist_name=_therapist_name(),
            session_type_name=F("session_type__name"),
            default_duration_minutes=F("session_type__default_duration_minutes"),
        )
        .order_by("scheduled_start")
    )


_UPCOMING = QueryTemplate(_upcoming, slots={"therapist": UUID, "now": datetime})


def upcoming_appointments(*, therapist: Therapist, now: datetime | None = None) -> BoundQuery:
    """View ``upcoming_appointments``: scheduled appointments from now on, soonest first, with the view's
    columns (patient and session type by id and name, the patient's avatar, where and how it happens)."""
    return _UPCOMING.bind(therapist=therapist.pk, now=now or timezone.now())


def _balances(therapist: UUID, today: date) -> QuerySet:
    overdue = overdue_q("financial_records__", today)
    pending = Q(financial_records__status=PaymentStatus.PENDING) & ~overdue
    amount = "financial_records__amount"
    return (
        Patient.objects.filter(therapist=therapist)
        .annotate(
            patient_name=full_name_expression(),
            total_records=Count("financial_records"),
            total_paid=Coalesce(Sum(amount, filter=Q(financial_records__status=PaymentStatus.PAID)), ZERO),
            total_pending=Coalesce(Sum(amount, filter=pending), ZERO),
            total_overdue=Coalesce(Sum(amount, filter=overdue), ZERO),
            total_amount=Coalesce(Sum(amount), ZERO),
        )
        .values("id", "patient_name", "total_records", "total_paid", "total_pending", "total_overdue", "total_amount")
        .order_by("last_name", "first_name", "id")
    )


_BALANCES = QueryTemplate(
    _balances,
    slots={"therapist": UUID, "today": date},
    count_build=lambda therapist: Patient.objects.filter(therapist=therapist).values("id"),
    count_slots=("therapist",),
)


def financial_summary(*, therapist: Therapist, today: date | None = None) -> BoundQuery:
    """View ``financial_summary``: per patient, record count and sums by status. A pending bill past its due
    date counts as overdue (G5). One LEFT JOIN, so nothing is double-counted; patients without records
    get zeros (the original gave NULL for total_amount)."""
    return _BALANCES.bind(therapist=therapist.pk, today=today or timezone.localdate())


def _active(therapist: UUID, now: datetime) -> QuerySet:
    return (
        Patient.objects.filter(therapist=therapist, status=PatientStatus.ACTIVE)
        .annotate(patient_name=full_name_expression(), therapist_name=_therapist_name(), **session_stats(now=now))
        .values(
            "id",
            "patient_name",
            "therapist_name",
            "avatar_url",
            "preferred_session_type",
            "status",
            "total_sessions",
            "last_session_date",
            "next_session_at",
        )
        .order_by(F("next_session_at").asc(nulls_last=True), "last_name", "first_name", "id")
    )


_ACTIVE = QueryTemplate(_active, slots={"therapist": UUID, "now": datetime})


def active_patients_with_appointments(*, therapist: Therapist, now: datetime | None = None) -> BoundQuery:
    """View ``active_patients_with_appointments`` with correct last/next session (G2), next session first."""
    return _ACTIVE.bind(therapist=therapist.pk, now=now or timezone.now())


# --- one patient --------------------------------------------------------------------------------------------


def _summary(therapist: UUID, patient: UUID, now: datetime) -> QuerySet:
    moods = MoodEntry.objects.filter(patient=OuterRef("pk"))
    open_bills = FinancialRecord.objects.filter(open_bill_q(), patient=OuterRef("pk"))
    stats = session_stats(now=now)
    return (
        Patient.objects.filter(therapist=therapist, pk=patient)
        .annotate(
            patient_name=full_name_expression(),
            total_sessions=stats["total_sessions"],
            latest_mood=Subquery(moods.order_by("-entry_date", "-created_at").values("mood_rating")[:1]),
            avg_mood=Subquery(
                moods.order_by().values("patient").annotate(a=Avg("mood_rating")).values("a"),
                output_field=models.DecimalField(max_digits=6, decimal_places=2),
            ),
            total_amount_owed=Coalesce(
                Subquery(
                    open_bills.order_by().values("patient").annotate(s=Sum("patient_responsibility")).values("s"),
                    output_field=models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES),
                ),
                ZERO,
            ),
            last_session_date=stats["last_session_date"],
            next_appointment=stats["next_session_at"],
        )
        .values(
            "id",
            "patient_name",
            "status",
            "total_sessions",
            "last_session_date",
            "latest_mood",
            "avg_mood",
            "total_amount_owed",
            "next_appointment",
        )
        .order_by()
    )


_SUMMARY = QueryTemplate(_summary, slots={"therapist": UUID, "patient": UUID, "now": datetime})


def patient_summary(
    *,
    therapist: Therapist,
    patient_id: UUID | str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The original ``get_patient_summary`` without its fan-out bug (it joined notes and bills in one GROUP
    BY: Amelia showed 4 sessions instead of 2). Raises ``Patient.DoesNotExist`` outside the therapist's scope
    and ``ValueError`` for an id that is not a UUID.

    ``total_amount_owed`` is what the patient still owes on open bills (their responsibility after insurance,
    plus late fees); ``next_appointment`` is the earliest scheduled appointment from now.
    """
    patient = patient_id if isinstance(patient_id, UUID) else UUID(str(patient_id))
    row = _SUMMARY.bind(therapist=therapist.pk, patient=patient, now=now or timezone.now()).first()
    if row is None:
        raise Patient.DoesNotExist("No such patient of this therapist.")
    return row


# --- the patient list and the name search --------------------------------------------------------------------

PATIENT_LIST_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "date_of_birth",
    "avatar_url",
    "preferred_session_type",
    "status",
    "archived_at",
    "total_sessions",
    "last_session_date",
    "next_session_at",
)


def _listed(patients: QuerySet[Patient], now: datetime) -> QuerySet:
    # Rows, not instances: a ``full_name`` column beside the model's property of that name.
    columns = {"full_name": full_name_expression(), **session_stats(now=now)}
    return patients.annotate(**columns).values(*PATIENT_LIST_COLUMNS)


@functools.cache
def _patient_list_template(*, by_status: bool, archived: bool | None) -> QueryTemplate:
    def patients(therapist: UUID, status: str | None = None) -> QuerySet[Patient]:
        chosen = Patient.objects.filter(therapist=therapist)
        if status is not None:
            chosen = chosen.filter(status=status)
        if archived is not None:
            chosen = chosen.filter(archived_at__isnull=not archived)
        return chosen

    def build(therapist: UUID, now: datetime, status: str | None = None) -> QuerySet:
        return _listed(patients(therapist, status), now).order_by("last_name", "first_name", "id")

    def count(therapist: UUID, status: str | None = None) -> QuerySet:
        return patients(therapist, status).values("id")

    slots: dict[str, type] = {"therapist": UUID, "now": datetime}
    if by_status:
        slots["status"] = str
    return QueryTemplate(build, slots=slots, count_build=count, count_slots=[name for name in slots if name != "now"])


def patient_list(
    *,
    therapist: Therapist,
    status: str | None = None,
    archived: bool | None = None,
    now: datetime | None = None,
) -> BoundQuery:
    """The therapist's patients, by name, with their G2 numbers (``PATIENT_LIST_COLUMNS``; no clinical
    notes or contacts beyond e-mail and phone – those are on the patient's own page). ``status`` and
    ``archived`` (True: archived only, False: not archived) filter it."""
    values: dict[str, Any] = {"therapist": therapist.pk, "now": now or timezone.now()}
    if status:
        values["status"] = status
    return _patient_list_template(by_status=bool(status), archived=archived).bind(**values)


def patient_search(*, patients: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """G1: fuzzy name search over an already scoped patient queryset (the admin's changelist) – substring
    (ILIKE) or trigram word similarity on the full name, best matches first. The API's search is
    ``patient_search_rows``, the same predicates compiled once."""
    query = normalise_search(query)
    if not query:
        return patients
    return name_search(patients, query=query, pattern=like_pattern(query))


@functools.cache
def _search_template(*, scoped: bool, by_status: bool) -> QueryTemplate:
    def matches(query: str, pattern: str, therapist: UUID | None = None, status: str | None = None) -> QuerySet:
        patients = Patient.objects.all()
        if therapist is not None:
            patients = patients.filter(therapist=therapist)
        if status is not None:
            patients = patients.filter(status=status)
        return name_search(patients, query=query, pattern=pattern)

    def build(
        query: str, pattern: str, now: datetime, therapist: UUID | None = None, status: str | None = None
    ) -> QuerySet:
        found = matches(query, pattern, therapist, status)
        return _listed(found, now).order_by("-similarity", "last_name", "first_name", "id")

    def count(query: str, pattern: str, therapist: UUID | None = None, status: str | None = None) -> QuerySet:
        return matches(query, pattern, therapist, status).values("id").order_by()

    slots: dict[str, type] = {"query": str, "pattern": str, "now": datetime}
    if scoped:
        slots["therapist"] = UUID
    if by_status:
        slots["status"] = str
    return QueryTemplate(build, slots=slots, count_build=count, count_slots=[name for name in slots if name != "now"])


def patient_search_rows(
    *,
    query: str,
    therapist: Therapist | None,
    status: str | None = None,
    now: datetime | None = None,
) -> BoundQuery | list[dict[str, Any]]:
    """G1 as list rows: a therapist's patients (or, with ``therapist=None``, the whole practice's) whose
    name contains ``query`` or is trigram-similar to it, best match first."""
    query = normalise_search(query)
    if not query:
        return []
    values: dict[str, Any] = {"query": query, "pattern": like_pattern(query), "now": now or timezone.now()}
    if therapist is not None:
        values["therapist"] = therapist.pk
    if status:
        values["status"] = status
    return _search_template(scoped=therapist is not None, by_status=bool(status)).bind(**values)
