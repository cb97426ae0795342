"""Every read of the practice domain used by the admin, dashboards and API.

Each selector is scoped to one therapist and runs as ONE query (derived numbers are correlated subqueries
or filtered aggregates over a single join, so nothing fans out and nothing is counted twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import models
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Greatest
from django.utils import timezone

from practice.models import (
    Appointment,
    AppointmentStatus,
    FinancialRecord,
    MoodEntry,
    Patient,
    PatientStatus,
    PaymentStatus,
    ProgressEntry,
    SessionNote,
    Tag,
    Therapist,
)
from practice.models.appointments import DURATION_TOLERANCE_MINUTES
from practice.models.choices import ELEVATED_RISK_LEVELS, RiskLevel
from practice.models.finance import MONEY_DIGITS, MONEY_PLACES, ZERO
from practice.models.patients import full_name_expression

PRACTICE_MANAGER_GROUP = "Practice manager"
THERAPIST_GROUP = "Therapist"
LICENSE_WARNING_DAYS = 60
AGING_BUCKETS = ("0-30", "31-60", "61-90", "90+")


# --- who sees what ------------------------------------------------------------------------------------------

def sees_whole_practice(user: User | AnonymousUser) -> bool:
    """Superusers and practice managers see every therapist's records."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or user.groups.filter(name=PRACTICE_MANAGER_GROUP).exists())


def therapist_for_user(user: User | AnonymousUser) -> Therapist | None:
    if not user.is_authenticated:
        return None
    return Therapist.objects.filter(user=user, is_active=True).first()


# --- derived per-patient numbers (G2) ------------------------------------------------------------------------

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


def _count_subquery(queryset: QuerySet, outer: str) -> Coalesce:
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def session_stats(*, now: datetime) -> dict[str, Any]:
    """G2 for ``Patient`` querysets: ``total_sessions`` (documented sessions = non-template notes, as the
    original dashboard counts them), ``last_session_date`` (latest note) and ``next_session_at`` (earliest
    scheduled appointment from ``now``). Computed at read time, so inserts, deletes and status changes can
    never leave them stale."""
    notes = SessionNote.objects.filter(patient=OuterRef("pk"), is_template=False)
    upcoming = Appointment.objects.filter(
        patient=OuterRef("pk"), status=AppointmentStatus.SCHEDULED, scheduled_start__gte=now,
    )
    return {
        "total_sessions": _count_subquery(notes, "patient"),
        "last_session_date": Subquery(notes.order_by("-session_date").values("session_date")[:1]),
        "next_session_at": Subquery(upcoming.order_by("scheduled_start").values("scheduled_start")[:1]),
    }


def patients_with_session_stats(*, therapist: Therapist, now: datetime | None = None) -> QuerySet[Patient]:
    return Patient.objects.filter(therapist=therapist).annotate(**session_stats(now=now or timezone.now()))


# --- the three original views ---------------------------------------------------------------------------------

def upcoming_appointments(*, therapist: Therapist, now: datetime | None = None) -> QuerySet[Appointment]:
    """View ``upcoming_appointments``: scheduled appointments from now on, soonest first.

    Therapist and session type arrive as annotations over the same joins, so only the patient is loaded as
    an object (issue 7: building three related instances per row cost more than the query itself)."""
    return (
        Appointment.objects.filter(
            therapist=therapist, status=AppointmentStatus.SCHEDULED, scheduled_start__gte=now or timezone.now(),
        )
        .select_related("patient")
        .annotate(
            patient_name=Concat("patient__first_name", Value(" "), "patient__last_name", output_field=CharField()),
            patient_avatar=F("patient__avatar_url"),
            therapist_name=Concat(
                "therapist__first_name", Value(" "), "therapist__last_name", output_field=CharField(),
            ),
            session_type_name=F("session_type__name"),
            default_duration_minutes=F("session_type__default_duration_minutes"),
        )
        .order_by("scheduled_start")
    )


def _overdue_q(prefix: str, today: date) -> Q:
    """G5: overdue = marked overdue, or still pending after its due date."""
    return Q(**{f"{prefix}status": PaymentStatus.OVERDUE}) | Q(
        **{f"{prefix}status": PaymentStatus.PENDING, f"{prefix}due_date__lt": today}
    )


def financial_summary(*, therapist: Therapist, today: date | None = None) -> QuerySet[Patient]:
    """View ``financial_summary``: per patient, record count and sums by status. A pending bill past its due
    date counts as overdue (G5). One LEFT JOIN, so nothing is double-counted; patients without records
    get zeros (the original gave NULL for total_amount)."""
    today = today or timezone.localdate()
    overdue = _overdue_q("financial_records__", today)
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
        .order_by("last_name", "first_name")
    )


def active_patients_with_appointments(*, therapist: Therapist, now: datetime | None = None) -> QuerySet[Patient]:
    """View ``active_patients_with_appointments`` with correct last/next session (G2), next session first."""
    return (
        Patient.objects.filter(therapist=therapist, status=PatientStatus.ACTIVE)
        .select_related("therapist")
        .annotate(
            patient_name=full_name_expression(),
            therapist_name=Concat(
                "therapist__first_name", Value(" "), "therapist__last_name", output_field=CharField(),
            ),
            **session_stats(now=now or timezone.now()),
        )
        .order_by(F("next_session_at").asc(nulls_last=True), "last_name", "first_name")
    )


def patient_summary(*, therapist: Therapist, patient_id: UUID | str, now: datetime | None = None) -> Patient:
    """The original ``get_patient_summary`` without its fan-out bug (it joined notes and bills in one GROUP
    BY: Amelia showed 4 sessions instead of 2). Raises ``Patient.DoesNotExist`` outside the therapist's scope.

    ``total_amount_owed`` is what the patient still owes on open bills (their responsibility after insurance,
    plus late fees); ``next_appointment`` is the earliest scheduled appointment from now.
    """
    moods = MoodEntry.objects.filter(patient=OuterRef("pk"))
    open_bills = FinancialRecord.objects.filter(
        patient=OuterRef("pk"), status__in=[PaymentStatus.PENDING, PaymentStatus.OVERDUE],
    )
    stats = session_stats(now=now or timezone.now())
    return (
        Patient.objects.filter(therapist=therapist, pk=patient_id)
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
        .get()
    )


# --- dashboards -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FinancialOverview:
    total: Decimal
    paid: Decimal
    pending: Decimal
    pending_count: int
    overdue: Decimal
    overdue_count: int

    @property
    def paid_percent(self) -> Decimal | None:
        """Share of revenue paid; ``None`` without records (the original showed NaN%)."""
        if not self.total:
            return None
        return (self.paid / self.total * 100).quantize(Decimal("0.1"))


FINANCIAL_PERIODS = ("all", "week", "month", "quarter")


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last_day in (day.day, 30, 29, 28):  # clamp 31 March minus a month to 28/29 February
        try:
            return day.replace(year=year, month=month, day=last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def financial_period_start(period: str, today: date | None = None) -> date | None:
    """The Financial page's period filter: all time (``None``), last week (7 days), last month, last quarter
    (3 months), relative to today on the record date."""
    today = today or timezone.localdate()
    if period == "week":
        return today - timedelta(days=7)
    if period == "month":
        return _months_before(today, 1)
    if period == "quarter":
        return _months_before(today, 3)
    return None


def financial_records(
    *, therapist: Therapist, since: date | None = None, status: str | None = None, today: date | None = None,
) -> QuerySet[FinancialRecord]:
    """The Financial page's table: a therapist's records from ``since``, optionally of one status, where
    "overdue" includes pending bills past their due date and "pending" excludes them (G5)."""
    today = today or timezone.localdate()
    records = FinancialRecord.objects.filter(therapist=therapist)
    if since is not None:
        records = records.filter(record_date__gte=since)
    overdue = _overdue_q("", today)
    if status == PaymentStatus.OVERDUE:
        records = records.filter(overdue)
    elif status == PaymentStatus.PENDING:
        records = records.filter(Q(status=PaymentStatus.PENDING) & ~overdue)
    elif status:
        records = records.filter(status=status)
    return records


def financial_overview(
    *, therapist: Therapist, since: date | None = None, status: str | None = None, today: date | None = None,
) -> FinancialOverview:
    """The Financial page's four cards over the filtered records (period from ``since``, optional status)."""
    today = today or timezone.localdate()
    records = financial_records(therapist=therapist, since=since, status=status, today=today)
    overdue = _overdue_q("", today)
    pending = Q(status=PaymentStatus.PENDING) & ~overdue
    totals = records.aggregate(
        total=Coalesce(Sum("amount"), ZERO),
        paid=Coalesce(Sum("amount", filter=Q(status=PaymentStatus.PAID)), ZERO),
        pending=Coalesce(Sum("amount", filter=pending), ZERO),
        pending_count=Count("pk", filter=pending),
        overdue=Coalesce(Sum("amount", filter=overdue), ZERO),
        overdue_count=Count("pk", filter=overdue),
    )
    return FinancialOverview(**totals)


def overdue_ageing(*, therapist: Therapist, today: date | None = None) -> QuerySet[FinancialRecord]:
    """G5: open bills past due, with ``days_overdue`` and ``aging_bucket`` (0-30/31-60/61-90/90+) and the
    amount the patient owes. A bill marked overdue without a due date is aged from its record date."""
    today = today or timezone.localdate()
    days = Greatest(DaysBetween(Value(today), Coalesce("due_date", "record_date")), Value(0))
    return (
        FinancialRecord.objects.filter(Q(therapist=therapist) & _overdue_q("", today))
        .select_related("patient")
        .annotate(
            patient_name=Concat("patient__first_name", Value(" "), "patient__last_name", output_field=CharField()),
            days_overdue=days,
            aging_bucket=Case(
                When(Q(days_overdue__lte=30), then=Value(AGING_BUCKETS[0])),
                When(Q(days_overdue__lte=60), then=Value(AGING_BUCKETS[1])),
                When(Q(days_overdue__lte=90), then=Value(AGING_BUCKETS[2])),
                default=Value(AGING_BUCKETS[3]),
                output_field=CharField(),
            ),
        )
        .order_by("-days_overdue", "patient__last_name")
    )


def at_risk_patients(*, therapist: Therapist) -> QuerySet[Patient]:
    """G7: patients whose most recent risk assessment is high or imminent (imminent first). A later, lower
    assessment takes a patient off the list."""
    latest = SessionNote.objects.filter(patient=OuterRef("pk"), risk_assessed_at__isnull=False).order_by(
        "-risk_assessed_at"
    )
    return (
        Patient.objects.filter(therapist=therapist)
        .annotate(
            patient_name=full_name_expression(),
            risk_level=Subquery(latest.values("suicide_risk_level")[:1]),
            risk_assessed_at=Subquery(latest.values("risk_assessed_at")[:1]),
            risk_note_id=Subquery(latest.values("pk")[:1]),
        )
        .filter(risk_level__in=ELEVATED_RISK_LEVELS)
        .order_by(
            Case(When(risk_level=RiskLevel.IMMINENT, then=Value(0)), default=Value(1)), "-risk_assessed_at",
        )
    )


def licenses_expiring(
    *, within_days: int = LICENSE_WARNING_DAYS, today: date | None = None, therapist: Therapist | None = None,
) -> QuerySet[Therapist]:
    """G8: therapists whose license has expired or expires within ``within_days`` (soonest first)."""
    today = today or timezone.localdate()
    therapists = Therapist.objects.filter(license_expiry__lte=today + timedelta(days=within_days))
    if therapist is not None:
        therapists = therapists.filter(pk=therapist.pk)
    return therapists.annotate(days_until_expiry=DaysBetween("license_expiry", Value(today))).order_by(
        "license_expiry"
    )


def appointment_durations(
    *, therapist: Therapist, since: datetime | None = None, until: datetime | None = None,
) -> QuerySet[Appointment]:
    """G9: completed sessions with scheduled vs actual minutes and ``duration_status``
    (overrun / underrun beyond the tolerance, else on_time)."""
    appointments = Appointment.objects.filter(
        therapist=therapist, status=AppointmentStatus.COMPLETED,
        actual_start__isnull=False, actual_end__isnull=False,
    )
    if since is not None:
        appointments = appointments.filter(scheduled_start__gte=since)
    if until is not None:
        appointments = appointments.filter(scheduled_start__lt=until)
    return (
        appointments.select_related("patient")
        .annotate(
            planned_minutes=MinutesBetween("scheduled_end", "scheduled_start"),
            held_minutes=MinutesBetween("actual_end", "actual_start"),
            variance_minutes=F("held_minutes") - F("planned_minutes"),
            duration_status=Case(
                When(variance_minutes__gt=DURATION_TOLERANCE_MINUTES, then=Value("overrun")),
                When(variance_minutes__lt=-DURATION_TOLERANCE_MINUTES, then=Value("underrun")),
                default=Value("on_time"),
                output_field=CharField(),
            ),
        )
        .order_by("-scheduled_start")
    )


def patient_search(*, patients: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """G1: fuzzy name search over an already scoped patient queryset – substring (ILIKE) or trigram word
    similarity on the full name, best matches first. Both predicates use ``practice_patient_name_trgm``."""
    query = " ".join(query.split())
    if not query:
        return patients
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    full_name = full_name_expression()
    return (
        patients.annotate(patient_name=full_name, similarity=TrigramWordSimilarity(query, full_name))
        .filter(Q(ILike(full_name, Value(pattern))) | Q(patient_name__trigram_word_similar=query))
        .order_by("-similarity", "last_name", "first_name")
    )


@dataclass(frozen=True)
class TimelineEvent:
    """One point on a patient's timeline: a mood entry, a progress entry or a session note."""

    date: date
    kind: str  # "mood" | "progress" | "note"
    id: UUID
    mood_rating: int | None = None
    score: int | None = None
    progress_area: str | None = None
    tags: tuple[str, ...] = ()
    signed: bool | None = None


def patient_timeline(
    *, patient: Patient, since: date | None = None, until: date | None = None,
) -> list[TimelineEvent]:
    """Mood, progress and (non-template) session notes with their tags on one date axis, oldest first.
    Four queries whatever the number of rows (notes' tags are prefetched)."""
    def window[M: models.Model](queryset: QuerySet[M], field: str) -> QuerySet[M]:
        if since is not None:
            queryset = queryset.filter(**{f"{field}__gte": since})
        if until is not None:
            queryset = queryset.filter(**{f"{field}__lte": until})
        return queryset

    events = [
        TimelineEvent(date=m.entry_date, kind="mood", id=m.pk, mood_rating=m.mood_rating)
        for m in window(MoodEntry.objects.filter(patient=patient), "entry_date").order_by()
    ]
    events += [
        TimelineEvent(
            date=p.entry_date, kind="progress", id=p.pk, score=p.score,
            progress_area=p.progress_area.name if p.progress_area else None,
        )
        for p in window(ProgressEntry.objects.filter(patient=patient), "entry_date")
        .select_related("progress_area").order_by()
    ]
    notes = window(SessionNote.objects.filter(patient=patient, is_template=False), "session_date")
    events += [
        TimelineEvent(
            date=n.session_date, kind="note", id=n.pk, mood_rating=n.mood_rating,
            tags=tuple(sorted(t.name for t in n.tags.all())), signed=n.signed_at is not None,
        )
        for n in notes.prefetch_related("tags").order_by()
    ]
    kind_order = {"note": 0, "mood": 1, "progress": 2}
    return sorted(events, key=lambda e: (e.date, kind_order[e.kind], str(e.id)))


def tag_usage(*, therapist: Therapist) -> QuerySet[Tag]:
    """G3: every tag with how often the therapist used it on session notes and when last."""
    mine = Q(note_tags__note__therapist=therapist, note_tags__note__is_template=False)
    return Tag.objects.annotate(
        usage_count=Count("note_tags", filter=mine),
        last_used=Max("note_tags__note__session_date", filter=mine),
    ).order_by("-usage_count", "name")
