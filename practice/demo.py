"""The demo practice for ``manage.py up``: date rebasing and demo logins (local development only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pghistory
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.db.models import DateField, DateTimeField, ExpressionWrapper, F, Func, Max
from django.utils import timezone

from practice import services
from practice.models import (
    Appointment,
    FinancialRecord,
    MoodEntry,
    Patient,
    ProgressEntry,
    SessionNote,
    Therapist,
)
from practice.permissions import practice_groups_ensure
from sanctuary import roles
from sanctuary.demo import DEMO_PASSWORD, ensure_login

# Fixed ids from the original seed (fixtures/practice_demo.json).
DEMO_THERAPIST_ID = "550e8400-e29b-41d4-a716-446655440000"
DEMO_PATIENT_AMELIA_ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
# The first appointment of the demo day (Benjamin, Monday 30 June 2025, 9:00 am in Melbourne) anchors the layout.
DEMO_ANCHOR_APPOINTMENT_ID = "d4e5f6a7-b8c9-0123-def0-234567890123"

# Every date/time column of the demo therapist's records, by model: (date fields, datetime fields). Appointments
# are what is coming up; everything else (notes, mood, progress, bills) is what has happened.
UPCOMING_COLUMNS: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]] = {
    Appointment: ((), ("scheduled_start", "scheduled_end", "actual_start", "actual_end")),
}
HAPPENED_COLUMNS: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]] = {
    SessionNote: (("session_date",), ("risk_assessed_at",)),
    MoodEntry: (("entry_date",), ()),
    ProgressEntry: (("entry_date",), ()),
    FinancialRecord: (("record_date", "transaction_date", "due_date", "paid_date"), ()),
}


class OnWallClock(Func):
    """``column`` moved by whole days on the practice's wall clock: a 9:00 am session stays at 9:00 am when the
    shift crosses a daylight-saving change (adding days to a UTC timestamp would make it 10:00 am)."""

    output_field = DateTimeField()

    def __init__(self, column: str, *, days: int, zone: str) -> None:
        super().__init__(F(column))
        self.days, self.zone = days, zone

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"((({column}) AT TIME ZONE %s) + make_interval(days => %s)) AT TIME ZONE %s"
        return sql, [*params, self.zone, self.days, self.zone]


def rebase_shift(*, anchor_day: date, today: date) -> timedelta:
    """Whole weeks that move ``anchor_day`` to the first same weekday after ``today`` (weekdays and the
    relative layout are kept; zero when it is already there)."""
    days_ahead = (anchor_day.weekday() - today.weekday()) % 7 or 7
    return timedelta(days=(today + timedelta(days=days_ahead) - anchor_day).days)


def _latest_happened() -> date | None:
    latest: date | None = None
    for model, (date_fields, _) in HAPPENED_COLUMNS.items():
        rows = model._default_manager.filter(therapist_id=DEMO_THERAPIST_ID)
        for name in date_fields:
            value = rows.aggregate(latest=Max(name))["latest"]
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest


def _shift(columns: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]], days: int) -> None:
    zone = timezone.get_current_timezone_name()
    for model, (date_fields, datetime_fields) in columns.items():
        rows = model._default_manager.filter(therapist_id=DEMO_THERAPIST_ID)
        if model is SessionNote:
            rows = rows.filter(signed_at__isnull=True)
        shift = timedelta(days=days)
        changes: dict[str, Any] = {
            name: ExpressionWrapper(F(name) + shift, output_field=DateField()) for name in date_fields
        }
        changes |= {name: OnWallClock(name, days=days, zone=zone) for name in datetime_fields}
        rows.update(**changes)


def rebase_demo_dates(*, today: date | None = None) -> int:
    """Shift the demo practice's dates so its appointments are upcoming; returns the appointments' shift in days.

    Appointments move by whole weeks to the first same weekday after today, at the seed's local times. What has
    happened (notes, mood, progress, bills) moves by whole weeks too, as far as it can without any of it being
    dated after today (so a week less when the next Monday is further than the last note was before it).
    A bulk, one-transaction UPDATE of fixture rows (not a domain write, so not a service). Signed notes are
    frozen by the database and are left where they are.
    """
    anchor = Appointment.objects.filter(pk=DEMO_ANCHOR_APPOINTMENT_ID, therapist_id=DEMO_THERAPIST_ID).first()
    if anchor is None:
        return 0
    today = today or timezone.localdate()
    upcoming = rebase_shift(anchor_day=timezone.localtime(anchor.scheduled_start).date(), today=today)
    if not upcoming:
        return 0
    happened = upcoming
    latest = _latest_happened()
    while latest is not None and latest + happened > today:
        happened -= timedelta(days=7)
    with transaction.atomic(), pghistory.context(command="rebase_demo_dates"):
        _shift(UPCOMING_COLUMNS, upcoming.days)
        _shift(HAPPENED_COLUMNS, happened.days)
    return upcoming.days


def ensure_demo_logins() -> list[tuple[str, str, str]]:
    """A therapist login for Dr. Sarah Johnson, a practice manager, and a patient-portal login for Amelia."""
    practice_groups_ensure(apps)
    logins: list[tuple[str, str, str]] = []
    manager = ensure_login("manager", email="manager@sanctuary.example", is_staff=True)
    manager.groups.add(Group.objects.get(name=roles.PRACTICE_MANAGER))
    logins.append(("practice manager", "manager", DEMO_PASSWORD))

    therapist = Therapist.objects.filter(pk=DEMO_THERAPIST_ID).first()
    if therapist is not None:
        sarah = ensure_login("sarah", email="sarah.johnson@sanctuary.example", is_staff=True)
        sarah.groups.add(Group.objects.get(name=roles.THERAPIST))
        if therapist.user_id is None:
            services.therapist_link_user(therapist=therapist, user=sarah)
        logins.append(("therapist", "sarah", DEMO_PASSWORD))

    amelia = Patient.objects.filter(pk=DEMO_PATIENT_AMELIA_ID).first()
    if amelia is not None:
        user = ensure_login("amelia", email="amelia@sanctuary.example")
        if amelia.user_id is None:
            services.patient_link_user(patient=amelia, user=user)
        logins.append(("patient (portal)", "amelia", DEMO_PASSWORD))
    return logins
