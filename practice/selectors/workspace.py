"""The reads behind the therapist's workspace in the admin: the home pages, the calendar and the patient chart.

Every function runs a fixed number of queries whatever the number of rows (asserted in
``tests/practice/test_workspace_queries.py``). Day and week boundaries are the practice's local days
(``settings.TIME_ZONE``), never UTC ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from practice.models import (
    Appointment,
    AppointmentStatus,
    FinancialRecord,
    MoodEntry,
    Patient,
    PaymentStatus,
    ProgressEntry,
    SessionNote,
    Therapist,
)
from practice.models.choices import ELEVATED_RISK_LEVELS, LIVE_APPOINTMENT_STATUSES
from practice.models.finance import ZERO
from practice.models.patients import full_name_expression
from practice.selectors.dashboards import patient_search, patient_summary
from practice.selectors.expressions import MinutesBetween, normalise_search, overdue_q, session_stats
from practice.selectors.finance import overdue_ageing

# --- time ---------------------------------------------------------------------------------------------------


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in the practice's zone (DST-correct: built from the wall clock, not by adding hours)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def workday_hours() -> tuple[int, int]:
    """The hours the calendar shows and the next-free-slot search keeps to (until availability exists)."""
    first, last = settings.WORKSPACE_DAY_HOURS
    return int(first), int(last)


# --- clinicians -----------------------------------------------------------------------------------------------


def clinicians() -> QuerySet[Therapist]:
    """Therapists who work in the practice (an active login), not directory listings."""
    return Therapist.objects.filter(user__isnull=False, is_active=True).order_by("last_name", "first_name")


# --- appointments ---------------------------------------------------------------------------------------------


def appointments_between(
    *,
    therapists: Iterable[Therapist | UUID],
    start: datetime,
    end: datetime,
) -> QuerySet[Appointment]:
    """Every appointment (cancelled too: the calendar strikes them through) starting in ``[start, end)``."""
    ids = [t.pk if isinstance(t, Therapist) else t for t in therapists]
    return (
        Appointment.objects.filter(therapist_id__in=ids, scheduled_start__gte=start, scheduled_start__lt=end)
        .select_related("patient", "session_type", "therapist")
        .order_by("scheduled_start", "therapist__last_name")
    )


def next_free_slot(
    *,
    therapist: Therapist | UUID,
    after: datetime,
    minutes: int,
    exclude: UUID | None = None,
    search_days: int = 14,
) -> datetime | None:
    """The first start at or after ``after`` where a session of ``minutes`` fits between the therapist's live
    appointments, inside the workspace's day hours. One query (the next ``search_days`` of bookings)."""
    therapist_id = therapist.pk if isinstance(therapist, Therapist) else therapist
    length = timedelta(minutes=minutes)
    horizon = after + timedelta(days=search_days)
    booked = Appointment.objects.filter(
        therapist_id=therapist_id,
        status__in=LIVE_APPOINTMENT_STATUSES,
        scheduled_end__gt=after,
        scheduled_start__lt=horizon,
    )
    if exclude is not None:
        booked = booked.exclude(pk=exclude)
    busy = list(booked.order_by("scheduled_start").values_list("scheduled_start", "scheduled_end"))
    first_hour, last_hour = workday_hours()
    candidate = after
    while candidate < horizon:
        day = timezone.localtime(candidate).date()
        opens = local_midnight(day) + timedelta(hours=first_hour)
        closes = local_midnight(day) + timedelta(hours=last_hour)
        if candidate < opens:
            candidate = opens
        if candidate + length > closes:
            candidate = local_midnight(day + timedelta(days=1)) + timedelta(hours=first_hour)
            continue
        clash = next(((s, e) for s, e in busy if s < candidate + length and e > candidate), None)
        if clash is None:
            return candidate
        candidate = clash[1]
    return None


# --- notes ---------------------------------------------------------------------------------------------------


def unsigned_notes(*, therapists: Iterable[Therapist | UUID]) -> QuerySet[SessionNote]:
    """Draft session notes (templates are not sessions), oldest first: they are the ones to sign."""
    ids = [t.pk if isinstance(t, Therapist) else t for t in therapists]
    return (
        SessionNote.objects.filter(therapist_id__in=ids, signed_at__isnull=True, is_template=False)
        .select_related("patient")
        .order_by("session_date", "created_at")
    )


def note_templates(*, therapist: Therapist | None) -> QuerySet[SessionNote]:
    """A therapist's note templates (a manager writing for nobody in particular sees every template)."""
    templates = SessionNote.objects.filter(is_template=True).order_by("template_name")
    return templates if therapist is None else templates.filter(therapist=therapist)


# --- the therapist's home ------------------------------------------------------------------------------------

# A home page shows the top of each list (the oldest notes to sign, the longest overdue bills); the full lists
# are a click away.
HOME_LIST_LENGTH = 10


@dataclass(frozen=True)
class DaySessions:
    day: date
    appointments: list[Appointment]


@dataclass(frozen=True)
class TherapistHome:
    today: date
    today_sessions: list[Appointment]
    week: list[DaySessions]  # today and the six days after it
    unsigned: list[SessionNote]
    at_risk: list[dict[str, Any]]
    overdue: list[FinancialRecord]
    licence: Therapist | None
    licence_days: int | None
    duration_flags: list[Appointment]


def _at_risk_rows(patients: QuerySet[Patient]) -> list[dict[str, Any]]:
    """G7 over any patient queryset: latest assessment high or imminent; one query."""
    latest = SessionNote.objects.filter(patient=OuterRef("pk"), risk_assessed_at__isnull=False).order_by(
        "-risk_assessed_at"
    )
    rows = (
        patients.annotate(
            risk_level=Subquery(latest.values("suicide_risk_level")[:1]),
            risk_assessed_at=Subquery(latest.values("risk_assessed_at")[:1]),
        )
        .filter(risk_level__in=ELEVATED_RISK_LEVELS)
        .values("id", "first_name", "last_name", "therapist_id", "risk_level", "risk_assessed_at")
        .order_by("-risk_assessed_at")
    )
    return [{**row, "patient_name": f"{row['first_name']} {row['last_name']}"} for row in rows]


def _duration_flags(therapists: Sequence[UUID], since: datetime) -> list[Appointment]:
    """G9: completed sessions in the window that ran over or under the plan by more than the tolerance."""
    from practice.models.appointments import DURATION_TOLERANCE_MINUTES

    variance = MinutesBetween("actual_end", "actual_start") - MinutesBetween("scheduled_end", "scheduled_start")
    return list(
        Appointment.objects.filter(
            therapist_id__in=therapists,
            status=AppointmentStatus.COMPLETED,
            scheduled_start__gte=since,
            actual_start__isnull=False,
            actual_end__isnull=False,
        )
        .annotate(variance_minutes=variance)
        .filter(
            Q(variance_minutes__gt=DURATION_TOLERANCE_MINUTES) | Q(variance_minutes__lt=-DURATION_TOLERANCE_MINUTES)
        )
        .select_related("patient")
        .order_by("-scheduled_start")[:20]
    )


def therapist_home(*, therapist: Therapist, now: datetime | None = None) -> TherapistHome:
    """A therapist's day: today's sessions and the week ahead (today and the next six days), notes to sign,
    patients at risk (G7), overdue bills with their age (G5), the licence (G8) and sessions that ran over or
    under (G9). Five queries."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    week = list(
        appointments_between(
            therapists=[therapist],
            start=local_midnight(today),
            end=local_midnight(today + timedelta(days=7)),
        )
    )
    by_day: dict[date, list[Appointment]] = defaultdict(list)
    for appointment in week:
        by_day[timezone.localtime(appointment.scheduled_start).date()].append(appointment)
    licence_days = None
    if therapist.license_expiry is not None:
        licence_days = (therapist.license_expiry - today).days
    expiring = licence_days is not None and licence_days <= _licence_warning_days()
    return TherapistHome(
        today=today,
        today_sessions=by_day.get(today, []),
        week=[
            DaySessions(day=today + timedelta(days=i), appointments=by_day.get(today + timedelta(days=i), []))
            for i in range(7)
        ],
        unsigned=list(unsigned_notes(therapists=[therapist])[:HOME_LIST_LENGTH]),
        at_risk=_at_risk_rows(Patient.objects.filter(therapist=therapist)),
        overdue=list(overdue_ageing(therapist=therapist, today=today)[:HOME_LIST_LENGTH]),
        licence=therapist if expiring else None,
        licence_days=licence_days if expiring else None,
        duration_flags=_duration_flags([therapist.pk], now - timedelta(days=30)),
    )


def _licence_warning_days() -> int:
    from practice.selectors import LICENSE_WARNING_DAYS

    return LICENSE_WARNING_DAYS


# --- the manager's home --------------------------------------------------------------------------------------


@dataclass
class TherapistRow:
    therapist: Therapist
    sessions_today: int = 0
    sessions_week: int = 0
    booked_minutes_week: int = 0
    unsigned: int = 0
    oldest_unsigned: date | None = None
    at_risk: int = 0
    overdue_amount: Decimal = Decimal("0.00")
    overdue_count: int = 0
    income_month: Decimal = Decimal("0.00")
    licence_days: int | None = None

    @property
    def utilisation_percent(self) -> int:
        """Booked hours this week against the practice's clinical week (``WORKSPACE_CLINICAL_HOURS_PER_WEEK``)."""
        capacity = settings.WORKSPACE_CLINICAL_HOURS_PER_WEEK * 60
        return round(100 * self.booked_minutes_week / capacity) if capacity else 0


@dataclass
class PracticeHome:
    today: date
    month_start: date
    rows: list[TherapistRow] = field(default_factory=list)
    at_risk: list[dict[str, Any]] = field(default_factory=list)
    unsigned: list[SessionNote] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, Any]:
        return {
            "sessions_today": sum(r.sessions_today for r in self.rows),
            "sessions_week": sum(r.sessions_week for r in self.rows),
            "unsigned": sum(r.unsigned for r in self.rows),
            "at_risk": sum(r.at_risk for r in self.rows),
            "overdue_amount": sum((r.overdue_amount for r in self.rows), Decimal("0.00")),
            "income_month": sum((r.income_month for r in self.rows), Decimal("0.00")),
            "utilisation_percent": round(sum(r.utilisation_percent for r in self.rows) / len(self.rows))
            if self.rows
            else 0,
        }


def practice_home(*, now: datetime | None = None) -> PracticeHome:
    """The practice at a glance, per clinician: today's and this week's sessions, utilisation, notes waiting
    to be signed, patients at risk, overdue bills and this month's income. Seven queries however many
    therapists, patients or bills there are."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    monday = week_start(today)
    month_start = today.replace(day=1)
    therapists = list(clinicians())
    ids = [t.pk for t in therapists]
    rows = {t.pk: TherapistRow(therapist=t) for t in therapists}
    for row in rows.values():
        if row.therapist.license_expiry is not None:
            row.licence_days = (row.therapist.license_expiry - today).days

    day_start, day_end = local_midnight(today), local_midnight(today + timedelta(days=1))
    week_begin, week_end = local_midnight(monday), local_midnight(monday + timedelta(days=7))
    live = Q(status__in=LIVE_APPOINTMENT_STATUSES)
    sessions = (
        Appointment.objects.filter(therapist_id__in=ids, scheduled_start__gte=week_begin, scheduled_start__lt=week_end)
        .values("therapist_id")
        .annotate(
            today=Count("pk", filter=live & Q(scheduled_start__gte=day_start, scheduled_start__lt=day_end)),
            week=Count("pk", filter=live),
            minutes=Coalesce(Sum(MinutesBetween("scheduled_end", "scheduled_start"), filter=live), 0),
        )
        .order_by()
    )
    for s in sessions:
        row = rows[s["therapist_id"]]
        row.sessions_today, row.sessions_week, row.booked_minutes_week = s["today"], s["week"], s["minutes"]

    drafts = (
        SessionNote.objects.filter(therapist_id__in=ids, signed_at__isnull=True, is_template=False)
        .values("therapist_id")
        .annotate(n=Count("pk"), oldest=Min("session_date"))
        .order_by()
    )
    for d in drafts:
        rows[d["therapist_id"]].unsigned, rows[d["therapist_id"]].oldest_unsigned = d["n"], d["oldest"]

    overdue = (
        FinancialRecord.objects.filter(Q(therapist_id__in=ids) & overdue_q("", today))
        .values("therapist_id")
        .annotate(n=Count("pk"), amount=Coalesce(Sum("amount"), ZERO))
        .order_by()
    )
    for o in overdue:
        rows[o["therapist_id"]].overdue_count, rows[o["therapist_id"]].overdue_amount = o["n"], o["amount"]

    income = (
        FinancialRecord.objects.filter(
            therapist_id__in=ids, status=PaymentStatus.PAID, paid_date__gte=month_start, paid_date__lte=today
        )
        .values("therapist_id")
        .annotate(amount=Coalesce(Sum("amount"), ZERO))
        .order_by()
    )
    for i in income:
        rows[i["therapist_id"]].income_month = i["amount"]

    at_risk = _at_risk_rows(Patient.objects.filter(therapist_id__in=ids))
    for risk in at_risk:
        rows[risk["therapist_id"]].at_risk += 1
        risk["therapist"] = rows[risk["therapist_id"]].therapist
    return PracticeHome(
        today=today,
        month_start=month_start,
        rows=list(rows.values()),
        at_risk=at_risk,
        unsigned=list(unsigned_notes(therapists=ids).select_related("therapist")[:HOME_LIST_LENGTH]),
    )


# --- the patient workspace (the original app's Dashboard) ------------------------------------------------------

MOOD_TREND_POINTS = 5


def recent_moods(*, patient_ids: Sequence[UUID], points: int = MOOD_TREND_POINTS) -> dict[UUID, list[int]]:
    """The last ``points`` mood ratings of each patient, oldest first: one query (a window per patient)."""
    if not patient_ids:
        return {}
    ranked = (
        MoodEntry.objects.filter(patient_id__in=patient_ids)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F("patient_id"), order_by=[F("entry_date").desc(), F("created_at").desc()]
            )
        )
        .filter(rank__lte=points)
        .values_list("patient_id", "mood_rating", "rank")
    )
    moods: dict[UUID, list[tuple[int, int]]] = defaultdict(list)
    for patient_id, rating, rank in ranked:
        moods[patient_id].append((rank, rating))
    return {pid: [rating for _, rating in sorted(values, reverse=True)] for pid, values in moods.items()}


def patient_cards(
    *,
    patients: QuerySet[Patient],
    query: str = "",
    now: datetime | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The workspace's patient cards, from an already scoped queryset: by name, or the fuzzy name search
    (G1) when there is a query; each with the active-patients dashboard's numbers (total sessions, last and
    next session: ``session_stats``) and its mood trend. Two queries."""
    now = now or timezone.now()
    if normalise_search(query):
        chosen = patient_search(patients=patients, query=query)
    else:
        chosen = patients.order_by("last_name", "first_name", "id")
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in chosen.annotate(patient_name=full_name_expression(), **session_stats(now=now)).values(
            "id",
            "patient_name",
            "first_name",
            "last_name",
            "preferred_session_type",
            "status",
            "total_sessions",
            "last_session_date",
            "next_session_at",
        )[:limit]
    ]
    trend = recent_moods(patient_ids=[row["id"] for row in rows])
    for row in rows:
        row["moods"] = trend.get(row["id"], [])
    return rows


# --- the schedule with its session focus ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFocus:
    appointment: Appointment
    planned_minutes: int
    recent_notes: list[SessionNote]
    next_session_focus: str
    homework: str


def session_focus(*, appointments: QuerySet[Appointment], appointment_id: UUID | str) -> SessionFocus:
    """What to have in mind for one session, from an already scoped queryset (404 outside it): its session
    type and planned length, and from the patient's last two notes their text, mood and tags, plus the last
    note's next-session focus and homework. Three queries."""
    appointment = get_object_or_404(appointments.select_related("patient", "session_type"), pk=appointment_id)
    notes = list(
        SessionNote.objects.filter(patient_id=appointment.patient_id, is_template=False)
        .prefetch_related("tags")
        .order_by("-session_date", "-created_at")[:2]
    )
    planned = (
        appointment.session_type.default_duration_minutes
        if appointment.session_type is not None
        else appointment.scheduled_minutes
    )
    last = notes[0] if notes else None
    return SessionFocus(
        appointment=appointment,
        planned_minutes=planned,
        recent_notes=notes,
        next_session_focus=last.next_session_focus if last else "",
        homework=last.homework_assigned if last else "",
    )


# --- the patient chart ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressArea:
    name: str
    baseline: int | None
    target: int | None
    latest: int
    latest_date: date
    points: list[tuple[date, int]]


@dataclass(frozen=True)
class PatientChart:
    patient: Patient
    summary: dict[str, Any]
    latest_risk: SessionNote | None
    moods: list[MoodEntry]
    progress: list[ProgressArea]
    notes: list[SessionNote]
    upcoming: list[Appointment]


def patient_chart(*, patients: QuerySet[Patient], patient_id: UUID | str, now: datetime | None = None) -> PatientChart:
    """One patient's chart, from a queryset already scoped to the requester (another therapist's patient is a
    404): the header numbers (the patient summary), the latest risk assessment, mood and progress series,
    the notes timeline with tags and amendments, and upcoming sessions. Eight queries."""
    now = now or timezone.now()
    patient = get_object_or_404(patients.select_related("therapist"), pk=patient_id)
    summary = patient_summary(therapist=patient.therapist, patient_id=patient.pk, now=now)
    latest_risk = (
        SessionNote.objects.filter(patient=patient, risk_assessed_at__isnull=False)
        .order_by("-risk_assessed_at")
        .first()
    )
    moods = list(MoodEntry.objects.filter(patient=patient).order_by("entry_date", "created_at"))
    entries = (
        ProgressEntry.objects.filter(patient=patient)
        .select_related("progress_area")
        .order_by("entry_date", "created_at")
    )
    grouped: dict[str, list[ProgressEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.progress_area.name if entry.progress_area else "General"].append(entry)
    progress = []
    for name, series in sorted(grouped.items()):
        baseline = next((e.baseline_score for e in series if e.baseline_score is not None), None)
        target = next((e.target_score for e in reversed(series) if e.target_score is not None), None)
        progress.append(
            ProgressArea(
                name=name,
                baseline=baseline,
                target=target,
                latest=series[-1].score,
                latest_date=series[-1].entry_date,
                points=[(e.entry_date, e.score) for e in series],
            )
        )
    notes = list(
        SessionNote.objects.filter(patient=patient, is_template=False)
        .select_related("signed_by")
        .prefetch_related("tags", "amendments")
        .order_by("-session_date", "-created_at")
    )
    upcoming = list(
        Appointment.objects.filter(patient=patient, status=AppointmentStatus.SCHEDULED, scheduled_start__gte=now)
        .select_related("session_type")
        .order_by("scheduled_start")[:5]
    )
    return PatientChart(
        patient=patient,
        summary=summary,
        latest_risk=latest_risk,
        moods=moods,
        progress=progress,
        notes=notes,
        upcoming=upcoming,
    )
