"""The original app's pages on real data: the patient workspace, the schedule with its session focus and the
financial overview with its export (issue 21), on the demo practice as the seed left it (June 2025)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from itertools import product

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice import selectors, services
from practice.admin.pages import PERIOD_LABELS, STATUS_LABELS
from practice.demo import ensure_demo_logins
from practice.models import Appointment, AppointmentType, FinancialRecord, Patient, Therapist
from sanctuary import roles
from tests.practice.conftest import AMELIA, BENJAMIN, CHLOE
from tests.practice.factories import AppointmentFactory, FinancialRecordFactory, PatientFactory, TherapistFactory


@pytest.fixture
def sarah(demo: Therapist, client: Client) -> Client:
    ensure_demo_logins()
    client.force_login(User.objects.get(username="sarah"))
    return client


# --- the financial overview ---------------------------------------------------------------------------------


def _cards(client: Client, **query: str) -> dict[str, str]:
    page = client.get("/admin/practice/financialrecord/overview/", query).content.decode()
    cards = {}
    for name in ("total", "paid", "paid-percent", "pending", "pending-count", "overdue"):
        cards[name] = page.split(f'data-card="{name}">')[1].split("<")[0].strip()
    return cards


def _export(client: Client, **query: str) -> list[list[str]]:
    response = client.get("/admin/practice/financialrecord/overview/export.csv", query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_demo_all_time_cards_are_the_seeds_numbers(sarah: Client) -> None:
    assert _cards(sarah) == {
        "total": "$850.00",
        "paid": "$500.00",
        "paid-percent": "58.8 % of total",
        "pending": "$150.00",
        "pending-count": "1 invoice",
        "overdue": "$200.00",
    }


@pytest.mark.parametrize(("period", "status"), list(product(PERIOD_LABELS, STATUS_LABELS)))
def test_the_cards_and_the_csv_equal_the_selectors_for_every_filter(
    sarah: Client,
    demo: Therapist,
    period: str,
    status: str,
) -> None:
    today = timezone.localdate()
    since = selectors.financial_period_start(period, today)
    overview = selectors.financial_overview(therapist=demo, since=since, status=status or None, today=today)
    percent = overview.paid_percent if overview.paid_percent is not None else Decimal("0.0")
    assert _cards(sarah, period=period, status=status) == {
        "total": f"${overview.total:,.2f}",
        "paid": f"${overview.paid:,.2f}",
        "paid-percent": f"{percent:.1f} % of total",
        "pending": f"${overview.pending:,.2f}",
        "pending-count": f"{overview.pending_count} invoice{'' if overview.pending_count == 1 else 's'}",
        "overdue": f"${overview.overdue:,.2f}",
    }
    records = selectors.financial_records(therapist=demo, since=since, status=status or None, today=today)
    rows = _export(sarah, period=period, status=status)
    assert rows[0][:6] == ["Date", "Patient", "Therapist", "Type", "Session type", "Amount (AUD)"]
    assert sorted((r[0], r[5]) for r in rows[1:]) == sorted(
        (r.record_date.isoformat(), f"{r.amount:.2f}") for r in records
    )
    # The cards add up what the export lists.
    assert sum((Decimal(r[5]) for r in rows[1:]), Decimal("0.00")) == overview.total


def test_with_no_records_the_paid_share_is_zero_not_nan(client: Client, db: None) -> None:
    user = User.objects.create_user("newbie", "newbie@example.test", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.THERAPIST))
    TherapistFactory(user=user)
    client.force_login(user)
    cards = _cards(client)
    assert cards == {
        "total": "$0.00",
        "paid": "$0.00",
        "paid-percent": "0.0 % of total",
        "pending": "$0.00",
        "pending-count": "0 invoices",
        "overdue": "$0.00",
    }
    assert "No records found." in client.get("/admin/practice/financialrecord/overview/").content.decode()
    assert len(_export(client)) == 1


def test_a_pending_bill_past_due_shows_as_overdue_in_the_table_and_the_export(sarah: Client, demo: Therapist) -> None:
    chloe = Patient.objects.get(pk=CHLOE)
    FinancialRecord.objects.filter(patient=chloe, status="pending").update(due_date=date(2025, 7, 1))
    rows = _export(sarah, status="overdue")
    assert {r[1] for r in rows[1:]} == {"Benjamin Carter", "Chloe Davis"}
    assert {r[6] for r in rows[1:]} == {"Overdue"}


def test_the_revenue_trend_is_drawn_by_month(sarah: Client) -> None:
    page = sarah.get("/admin/practice/financialrecord/overview/").content.decode()
    assert 'data-ws-source="revenue-data"' in page and "June 2025" in page


def test_a_manager_sees_the_practice_and_each_therapist(client: Client, demo: Therapist, practice) -> None:  # type: ignore[no-untyped-def]
    ensure_demo_logins()  # Dr. Johnson becomes a clinician with a login
    FinancialRecordFactory(patient=practice.alice_patient, amount=Decimal("90.00"), record_date=date(2025, 6, 1))
    client.force_login(practice.manager)
    assert _cards(client)["total"] == "$940.00"
    assert _cards(client, therapist=str(demo.pk))["total"] == "$850.00"
    assert _cards(client, therapist=str(practice.alice_therapist.pk))["total"] == "$90.00"


def test_a_therapist_cannot_see_another_therapists_bills_through_the_filter(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    FinancialRecordFactory(patient=practice.bob_patient, amount=Decimal("70.00"))
    client.force_login(practice.alice)
    assert _cards(client, therapist=str(practice.bob_therapist.pk))["total"] == "$0.00"
    assert len(_export(client, therapist=str(practice.bob_therapist.pk))) == 1


# --- the patient workspace ----------------------------------------------------------------------------------


def test_the_workspace_lists_cards_with_last_session_and_a_five_point_mood_trend(sarah: Client) -> None:
    page = sarah.get("/admin/practice/patient/workspace/").content.decode()
    for name, last in (
        ("Amelia Chen", "25 June 2025"),
        ("Benjamin Carter", "26 June 2025"),
        ("Chloe Davis", "27 June 2025"),
    ):
        card = page.split(f"<strong>{name}</strong>")[1].split("</li>")[0]
        assert f"Last session: {last}" in card, name
        assert card.count("<polyline") == 1
    amelia = page.split("<strong>Amelia Chen</strong>")[1].split("</li>")[0]
    assert 'aria-label="Mood trend, last 5: 5, 4, 6, 5, 7 (of 10)"' in amelia


def test_the_workspace_search_is_the_fuzzy_search(sarah: Client) -> None:
    page = sarah.get("/admin/practice/patient/workspace/", {"q": "Amilia"}).content.decode()
    assert "Amelia Chen" in page and "Benjamin Carter" not in page


@pytest.mark.parametrize(
    ("patient", "last", "total"),
    [(AMELIA, "25 June 2025", "2"), (BENJAMIN, "26 June 2025", "1"), (CHLOE, "27 June 2025", "1")],
)
def test_a_selected_patient_shows_the_active_patients_numbers(
    sarah: Client,
    demo: Therapist,
    patient: str,
    last: str,
    total: str,
) -> None:
    page = sarah.get(f"/admin/practice/patient/{patient}/chart/").content.decode()
    header = page.split('aria-label="Summary"')[1].split("</section>")[0]
    assert f"{last}" in header and f'<div class="ws-stat">{total}</div>' in header
    row = next(r for r in selectors.active_patients_with_appointments(therapist=demo) if str(r["id"]) == patient)
    assert str(row["total_sessions"]) == total
    # The seed's appointments are in the past for a test run today: nothing is scheduled.
    assert "Not scheduled" in header


# --- the schedule ------------------------------------------------------------------------------------------------


def _upcoming(therapist: Therapist, patient: Patient, hours: int, **fields: object) -> Appointment:
    start = timezone.now().replace(microsecond=0) + timedelta(hours=hours)
    return services.appointment_book(therapist=therapist, patient=patient, scheduled_start=start, **fields)


def test_the_schedule_lists_upcoming_sessions_and_focuses_the_first(sarah: Client, demo: Therapist) -> None:
    amelia, chloe = Patient.objects.get(pk=AMELIA), Patient.objects.get(pk=CHLOE)
    first = _upcoming(
        demo,
        chloe,
        3,
        appointment_type=AppointmentType.VIRTUAL,
        meeting_url="https://video.example.test/room",
        preparation_notes="Bring the sleep diary.",
    )
    _upcoming(demo, amelia, 30)
    page = sarah.get("/admin/practice/appointment/schedule/").content.decode()
    listed = page.split('id="upcoming-heading"')[1].split("</section>")[0]
    assert listed.index("Chloe Davis") < listed.index("Amelia Chen")
    assert 'aria-current="true"' in listed.split("Amelia Chen")[0]
    focus = page.split('id="focus-heading"')[1]
    assert "Join video call" in focus and "https://video.example.test/room" in focus
    assert "Bring the sleep diary." in focus and "data-ws-countdown" in focus
    assert "50 minutes planned" in focus
    # The patient's last two notes, newest first, with mood badge and tags; the last note's focus.
    assert "Mood: 8/10" in focus and "Previous session notes" in focus
    assert first.pk


def test_the_focus_panel_shows_the_last_notes_next_session_focus_and_homework(sarah: Client, demo: Therapist) -> None:
    amelia = Patient.objects.get(pk=AMELIA)
    appointment = _upcoming(demo, amelia, 5)
    focus = sarah.get("/admin/practice/appointment/schedule/", {"focus": appointment.pk}).content.decode()
    last = selectors.session_focus(appointments=Appointment.objects.all(), appointment_id=appointment.pk)
    assert last.next_session_focus and last.next_session_focus in focus
    assert [n.session_date for n in last.recent_notes] == [date(2025, 6, 25), date(2025, 6, 18)]


def test_starting_and_ending_a_session_records_its_actual_times(sarah: Client, demo: Therapist) -> None:
    amelia = Patient.objects.get(pk=AMELIA)
    soon = _upcoming(demo, amelia, 0)  # now: within the early-start window
    assert sarah.post(f"/admin/practice/appointment/{soon.pk}/start/").status_code == 302
    soon.refresh_from_db()
    assert soon.actual_start is not None and soon.status == "scheduled"
    assert sarah.post(f"/admin/practice/appointment/{soon.pk}/end/").status_code == 302
    soon.refresh_from_db()
    assert soon.status == "completed" and soon.actual_end is not None and soon.actual_end >= soon.actual_start


def test_a_session_far_ahead_cannot_be_started(sarah: Client, demo: Therapist) -> None:
    later = _upcoming(demo, Patient.objects.get(pk=AMELIA), 5)
    response = sarah.post(f"/admin/practice/appointment/{later.pk}/start/", follow=True)
    assert "it can be started from 30 minutes before" in response.content.decode()
    later.refresh_from_db()
    assert later.actual_start is None


def test_another_therapists_session_is_not_in_reach(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    bobs = AppointmentFactory(
        patient=practice.bob_patient,
        scheduled_start=timezone.now() + timedelta(hours=2),
        scheduled_end=timezone.now() + timedelta(hours=3),
    )
    client.force_login(practice.alice)
    assert client.get("/admin/practice/appointment/schedule/", {"focus": bobs.pk}).status_code == 404
    assert client.post(f"/admin/practice/appointment/{bobs.pk}/start/").status_code == 404


# --- query counts ------------------------------------------------------------------------------------------


def _patients(therapist: Therapist, n: int) -> None:
    for i in range(n):
        patient = PatientFactory(therapist=therapist)
        services.mood_entry_record(patient=patient, entry_date=date(2030, 1, 1), mood_rating=5)
        services.session_note_create(
            therapist=therapist, patient=patient, session_date=date(2030, 1, 2), content="x", tags=["sleep"]
        )
        FinancialRecordFactory(patient=patient, record_date=timezone.localdate())
        start = timezone.now() + timedelta(days=1, minutes=60 * i + 60 * n)
        AppointmentFactory(patient=patient, scheduled_start=start, scheduled_end=start + timedelta(minutes=50))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/practice/patient/workspace/",
        "/admin/practice/appointment/schedule/",
        "/admin/practice/financialrecord/overview/",
    ],
)
def test_the_pages_run_the_same_queries_for_1_and_50_patients(client: Client, practice, url: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _patients(practice.alice_therapist, 1)
    one = count()
    _patients(practice.alice_therapist, 49)
    assert count() == one
