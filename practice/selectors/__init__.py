"""Every read of the practice domain used by the admin, dashboards and API (the workspace pages: ``workspace``).

Each selector is scoped to one therapist and runs as ONE query (derived numbers are correlated subqueries
or filtered aggregates over a single join, so nothing fans out and nothing is counted twice). The hot
therapist reads – the original views, the patient summary, list and search – live in ``dashboards`` and
are compiled once per process; the Financial page's reads in ``finance``; shared expressions in
``expressions``. Everything is importable from ``practice.selectors``, except the patient portal's reads
(``portal``: scoped to one patient, not a therapist), which its views import as a module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Case, CharField, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from practice.models import (
    Appointment,
    AppointmentStatus,
    MoodEntry,
    Patient,
    ProgressEntry,
    SessionNote,
    Tag,
    Therapist,
)
from practice.models.appointments import DURATION_TOLERANCE_MINUTES
from practice.models.choices import ELEVATED_RISK_LEVELS, RiskLevel
from practice.models.patients import full_name_expression
from practice.selectors.dashboards import (
    PATIENT_LIST_COLUMNS,
    active_patients_with_appointments,
    financial_summary,
    patient_list,
    patient_search,
    patient_search_rows,
    patient_summary,
    upcoming_appointments,
)
from practice.selectors.expressions import (
    DaysBetween,
    ILike,
    MinutesBetween,
    session_stats,
)
from practice.selectors.finance import (
    AGING_BUCKETS,
    FINANCIAL_PERIODS,
    FinancialOverview,
    financial_overview,
    financial_period_start,
    financial_records,
    overdue_ageing,
    revenue_by_month,
)
from practice.selectors.workspace import (
    PatientChart,
    PracticeHome,
    TherapistHome,
    appointments_between,
    clinicians,
    next_free_slot,
    note_templates,
    patient_cards,
    patient_chart,
    practice_home,
    recent_moods,
    session_focus,
    therapist_home,
    unsigned_notes,
)
from sanctuary import roles

__all__ = [
    "AGING_BUCKETS",
    "FINANCIAL_PERIODS",
    "LICENSE_WARNING_DAYS",
    "PATIENT_LIST_COLUMNS",
    "DaysBetween",
    "FinancialOverview",
    "ILike",
    "MinutesBetween",
    "PatientChart",
    "PracticeHome",
    "TherapistHome",
    "TimelineEvent",
    "active_patients_with_appointments",
    "appointment_durations",
    "appointments_between",
    "at_risk_patients",
    "clinicians",
    "financial_overview",
    "financial_period_start",
    "financial_records",
    "financial_summary",
    "licenses_expiring",
    "next_free_slot",
    "note_templates",
    "overdue_ageing",
    "patient_cards",
    "patient_chart",
    "patient_list",
    "patient_search",
    "patient_search_rows",
    "patient_summary",
    "patient_timeline",
    "patients_with_session_stats",
    "practice_home",
    "recent_moods",
    "revenue_by_month",
    "sees_whole_practice",
    "session_focus",
    "tag_usage",
    "therapist_for_user",
    "therapist_home",
    "unsigned_notes",
    "upcoming_appointments",
]

LICENSE_WARNING_DAYS = 60


# --- who sees what ------------------------------------------------------------------------------------------


def sees_whole_practice(user: User | AnonymousUser) -> bool:
    """Superusers and practice managers see every therapist's records."""
    return roles.is_practice_manager(user)


def therapist_for_user(user: User | AnonymousUser) -> Therapist | None:
    """The user's active therapist profile. No query when it came with the user: the API's token check
    loads it in the same statement (``sanctuary.api.authentication.TokenAuthentication``)."""
    if not user.is_authenticated:
        return None
    try:
        therapist: Therapist = user.therapist_profile  # type: ignore[union-attr]
    except Therapist.DoesNotExist:
        return None
    return therapist if therapist.is_active else None


# --- derived per-patient numbers (G2) ------------------------------------------------------------------------


def patients_with_session_stats(*, therapist: Therapist, now: datetime | None = None) -> QuerySet[Patient]:
    return Patient.objects.filter(therapist=therapist).annotate(**session_stats(now=now or timezone.now()))


# --- clinical flags and durations -----------------------------------------------------------------------------


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
            Case(When(risk_level=RiskLevel.IMMINENT, then=Value(0)), default=Value(1)),
            "-risk_assessed_at",
        )
    )


def licenses_expiring(
    *,
    within_days: int = LICENSE_WARNING_DAYS,
    today: date | None = None,
    therapist: Therapist | None = None,
) -> QuerySet[Therapist]:
    """G8: therapists whose license has expired or expires within ``within_days`` (soonest first)."""
    today = today or timezone.localdate()
    therapists = Therapist.objects.filter(license_expiry__lte=today + timedelta(days=within_days))
    if therapist is not None:
        therapists = therapists.filter(pk=therapist.pk)
    return therapists.annotate(days_until_expiry=DaysBetween("license_expiry", Value(today))).order_by("license_expiry")


def appointment_durations(
    *,
    therapist: Therapist,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Appointment]:
    """G9: completed sessions with scheduled vs actual minutes and ``duration_status``
    (overrun / underrun beyond the tolerance, else on_time)."""
    appointments = Appointment.objects.filter(
        therapist=therapist,
        status=AppointmentStatus.COMPLETED,
        actual_start__isnull=False,
        actual_end__isnull=False,
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
    *,
    patient: Patient,
    since: date | None = None,
    until: date | None = None,
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
            date=p.entry_date,
            kind="progress",
            id=p.pk,
            score=p.score,
            progress_area=p.progress_area.name if p.progress_area else None,
        )
        for p in window(ProgressEntry.objects.filter(patient=patient), "entry_date")
        .select_related("progress_area")
        .order_by()
    ]
    notes = window(SessionNote.objects.filter(patient=patient, is_template=False), "session_date")
    events += [
        TimelineEvent(
            date=n.session_date,
            kind="note",
            id=n.pk,
            mood_rating=n.mood_rating,
            tags=tuple(sorted(t.name for t in n.tags.all())),
            signed=n.signed_at is not None,
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
