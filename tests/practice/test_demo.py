"""The demo practice fixture, the date rebase and the demo logins."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from practice import selectors
from practice.demo import ensure_demo_logins, rebase_demo_dates, rebase_shift
from practice.models import (
    Appointment,
    FinancialRecord,
    MoodEntry,
    NoteTag,
    Patient,
    ProgressArea,
    ProgressEntry,
    SessionNote,
    SessionType,
    Tag,
    Therapist,
)
from tests.practice.conftest import AMELIA

MELBOURNE = ZoneInfo("Australia/Melbourne")


def test_loaddata_gives_the_original_demo_counts(demo: Therapist) -> None:
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Therapist,
            Patient,
            Appointment,
            SessionNote,
            NoteTag,
            MoodEntry,
            ProgressEntry,
            FinancialRecord,
            Tag,
            ProgressArea,
            SessionType,
        )
    }
    assert counts == {
        "Therapist": 1,
        "Patient": 3,
        "Appointment": 3,
        "SessionNote": 4,
        "NoteTag": 12,
        "MoodEntry": 15,
        "ProgressEntry": 7,
        "FinancialRecord": 5,
        "Tag": 11,
        "ProgressArea": 10,
        "SessionType": 3,
    }


def test_the_demo_rows_keep_their_original_ids_and_values(demo: Therapist) -> None:
    assert (demo.first_name, demo.last_name, demo.email, demo.title, demo.license_number) == (
        "Dr. Sarah",
        "Johnson",
        "dr.therapist@therapistsanctuary.com",
        "LCSW",
        "LCSW-12345",
    )
    assert demo.specializations == ["Anxiety Disorders", "Depression", "Couples Therapy", "Trauma"]
    amelia = Patient.objects.get(pk=AMELIA)
    assert amelia.avatar_url == "https://placehold.co/100x100/7a9e91/e0e8e5?text=AC"
    assert Tag.objects.get(name="transition").color == "#14B8A6"
    note = SessionNote.objects.get(pk="a0b1c2d3-e4f5-6789-abcd-ef1234567890")
    assert [t.name for t in note.tags.order_by("note_tags__created_at")] == ["anxiety", "social", "work"]
    # The seed's 14:30 is the practice's local time (Melbourne, AEST in June), not UTC.
    assert Appointment.objects.get(pk="f6a7b8c9-d0e1-2345-f012-456789012345").scheduled_start == datetime(
        2025,
        6,
        30,
        14,
        30,
        tzinfo=MELBOURNE,
    )


def test_rebase_shift_moves_by_whole_weeks_to_the_next_same_weekday() -> None:
    monday = date(2025, 6, 30)
    assert rebase_shift(anchor_day=monday, today=date(2026, 11, 22)) == timedelta(days=511)  # a Sunday
    assert rebase_shift(anchor_day=monday, today=date(2026, 11, 23)).days % 7 == 0
    assert monday + rebase_shift(anchor_day=monday, today=date(2026, 11, 23)) == date(2026, 11, 30)
    assert rebase_shift(anchor_day=date(2026, 11, 30), today=date(2026, 11, 25)) == timedelta(0)


def _local_starts() -> list[tuple[date, time]]:
    starts = sorted(Appointment.objects.values_list("scheduled_start", flat=True))
    return [(s.astimezone(MELBOURNE).date(), s.astimezone(MELBOURNE).time()) for s in starts]


def _happened_dates() -> list[date]:
    return sorted(
        [
            *SessionNote.objects.values_list("session_date", flat=True),
            *MoodEntry.objects.values_list("entry_date", flat=True),
            *ProgressEntry.objects.values_list("entry_date", flat=True),
            *FinancialRecord.objects.values_list("record_date", flat=True),
            *FinancialRecord.objects.exclude(paid_date=None).values_list("paid_date", flat=True),
        ]
    )


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 12, 1),  # a Tuesday in daylight saving: the next Monday is 6 days ahead, the last note 3 before it
        date(2026, 11, 28),  # a Saturday: the next Monday is 2 days ahead, so the notes can move by the same weeks
        date(2026, 4, 2),  # the Thursday before daylight saving ends (5 April)
    ],
)
def test_rebasing_keeps_the_seeds_local_times_and_dates_nothing_that_happened_after_today(
    demo: Therapist,
    today: date,
) -> None:
    assert [t for _, t in _local_starts()] == [time(9, 0), time(11, 0), time(14, 30)]
    happened_before = _happened_dates()
    days = rebase_demo_dates(today=today)
    assert days > 0 and days % 7 == 0
    starts = _local_starts()
    assert [t for _, t in starts] == [time(9, 0), time(11, 0), time(14, 30)]
    assert {d for d, _ in starts} == {date(2025, 6, 30) + timedelta(days=days)}
    assert today < starts[0][0] <= today + timedelta(days=7) and starts[0][0].weekday() == 0
    happened = _happened_dates()
    shift = happened[0] - happened_before[0]
    assert shift.days % 7 == 0 and happened == [d + shift for d in happened_before]
    assert max(happened) <= today < max(happened) + timedelta(days=7)


def test_after_the_rebase_the_demo_appointments_are_upcoming_in_their_order(demo: Therapist) -> None:
    rebase_demo_dates()
    upcoming = list(selectors.upcoming_appointments(therapist=demo))
    assert [a["patient_name"] for a in upcoming] == ["Benjamin Carter", "Amelia Chen", "Chloe Davis"]
    assert all(a["scheduled_start"] > timezone.now() for a in upcoming)
    assert rebase_demo_dates() == 0  # idempotent
    totals = {
        p["patient_name"]: p["total_sessions"] for p in selectors.active_patients_with_appointments(therapist=demo)
    }
    assert totals == {"Benjamin Carter": 1, "Amelia Chen": 2, "Chloe Davis": 1}
    assert all(
        p["last_session_date"] <= timezone.localdate()
        for p in selectors.active_patients_with_appointments(therapist=demo)
    )


def test_the_rebase_command_runs_alone(demo: Therapist) -> None:
    out = StringIO()
    call_command("rebase_demo_dates", stdout=out)
    assert "shifted by" in out.getvalue()


def test_rebasing_without_the_demo_practice_does_nothing(db: None) -> None:
    assert rebase_demo_dates() == 0


@pytest.mark.parametrize("twice", [False, True])
def test_demo_logins_link_the_therapist_and_the_patient(demo: Therapist, twice: bool) -> None:
    logins = ensure_demo_logins()
    if twice:
        logins = ensure_demo_logins()
    assert [username for _, username, _ in logins] == ["manager", "sarah", "amelia"]
    demo.refresh_from_db()
    assert demo.user.username == "sarah"
    assert demo.user.groups.filter(name="Therapist").exists()
    assert Patient.objects.get(pk=AMELIA).user.username == "amelia"
    assert not Patient.objects.get(pk=AMELIA).user.is_staff
    assert selectors.sees_whole_practice(type(demo.user).objects.get(username="manager"))


def test_the_demo_therapist_login_sees_her_patients_in_the_admin(demo: Therapist, client) -> None:  # type: ignore[no-untyped-def]
    ensure_demo_logins()
    client.force_login(Therapist.objects.get(pk=demo.pk).user)
    listing = client.get("/admin/practice/patient/")
    assert listing.status_code == 200
    for name in (b"Amelia", b"Benjamin", b"Chloe"):
        assert name in listing.content
