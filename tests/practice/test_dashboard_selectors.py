"""The original three views (and get_patient_summary, fixed) on the demo practice, each one query."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from practice import selectors
from practice.models import Therapist
from tests.practice.conftest import AMELIA, BENJAMIN, CHLOE
from tests.practice.factories import AppointmentFactory, FinancialRecordFactory, PatientFactory, SessionNoteFactory

# The demo's own "now": the morning of the seeded appointment day (dates are not rebased in these tests).
# The seed's demo day, an hour before its first session (its times are the practice's local times).
MELBOURNE = ZoneInfo("Australia/Melbourne")
DEMO_NOW = datetime(2025, 6, 30, 8, 0, tzinfo=MELBOURNE)
DEMO_TODAY = date(2025, 6, 30)


def test_financial_summary_gives_the_original_numbers(demo: Therapist) -> None:
    rows = {
        p["patient_name"]: (
            p["total_records"],
            p["total_paid"],
            p["total_pending"],
            p["total_overdue"],
            p["total_amount"],
        )
        for p in selectors.financial_summary(therapist=demo, today=DEMO_TODAY)
    }
    assert rows == {
        "Amelia Chen": (2, Decimal("300.00"), Decimal("0.00"), Decimal("0.00"), Decimal("300.00")),
        "Benjamin Carter": (2, Decimal("200.00"), Decimal("0.00"), Decimal("200.00"), Decimal("400.00")),
        "Chloe Davis": (1, Decimal("0.00"), Decimal("150.00"), Decimal("0.00"), Decimal("150.00")),
    }


def test_active_patients_with_appointments_counts_sessions_2_1_1_with_last_and_next_session(demo: Therapist) -> None:
    rows = [
        (p["patient_name"], p["therapist_name"], p["total_sessions"], p["last_session_date"], p["next_session_at"])
        for p in selectors.active_patients_with_appointments(therapist=demo, now=DEMO_NOW)
    ]
    assert rows == [
        ("Benjamin Carter", "Dr. Sarah Johnson", 1, date(2025, 6, 26), datetime(2025, 6, 30, 9, 0, tzinfo=MELBOURNE)),
        ("Amelia Chen", "Dr. Sarah Johnson", 2, date(2025, 6, 25), datetime(2025, 6, 30, 11, 0, tzinfo=MELBOURNE)),
        ("Chloe Davis", "Dr. Sarah Johnson", 1, date(2025, 6, 27), datetime(2025, 6, 30, 14, 30, tzinfo=MELBOURNE)),
    ]


def test_upcoming_appointments_lists_the_three_demo_sessions_soonest_first(demo: Therapist) -> None:
    rows = [
        (
            a["patient_name"],
            a["appointment_type"],
            a["session_type_name"],
            a["default_duration_minutes"],
            a["therapist_name"],
        )
        for a in selectors.upcoming_appointments(therapist=demo, now=DEMO_NOW)
    ]
    assert rows == [
        ("Benjamin Carter", "Virtual", "Couples", 60, "Dr. Sarah Johnson"),
        ("Amelia Chen", "In-Person", "Individual", 50, "Dr. Sarah Johnson"),
        ("Chloe Davis", "Virtual", "Individual", 50, "Dr. Sarah Johnson"),
    ]


def test_upcoming_appointments_are_empty_once_the_demo_day_has_passed(demo: Therapist) -> None:
    assert list(selectors.upcoming_appointments(therapist=demo, now=DEMO_NOW + timedelta(days=1))) == []


@pytest.mark.parametrize(
    ("patient_id", "sessions", "latest", "average", "owed", "hour"),
    [
        (AMELIA, 2, 7, Decimal("5.5"), Decimal("0.00"), 11),
        (BENJAMIN, 1, 6, Decimal("5.6"), Decimal("200.00"), 9),
        (CHLOE, 1, 8, Decimal("6.5"), Decimal("150.00"), 14),
    ],
)
def test_patient_summary_does_not_double_count(
    demo: Therapist,
    patient_id: str,
    sessions: int,
    latest: int,
    average: Decimal,
    owed: Decimal,
    hour: int,
) -> None:
    summary = selectors.patient_summary(therapist=demo, patient_id=patient_id, now=DEMO_NOW)
    assert summary["total_sessions"] == sessions
    assert summary["latest_mood"] == latest
    assert round(summary["avg_mood"], 1) == average
    assert summary["total_amount_owed"] == owed
    assert summary["next_appointment"].astimezone(MELBOURNE).hour == hour


def test_patient_summary_of_another_therapists_patient_does_not_exist(demo: Therapist, practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(type(practice.alice_patient).DoesNotExist):
        selectors.patient_summary(therapist=practice.alice_therapist, patient_id=AMELIA)


def test_financial_overview_gives_the_financial_page_cards(demo: Therapist) -> None:
    overview = selectors.financial_overview(therapist=demo, today=DEMO_TODAY)
    assert (overview.total, overview.paid, overview.pending, overview.overdue) == (
        Decimal("850.00"),
        Decimal("500.00"),
        Decimal("150.00"),
        Decimal("200.00"),
    )
    assert overview.pending_count == 1
    assert overview.paid_percent == Decimal("58.8")


def test_financial_overview_without_records_has_no_paid_percentage(practice) -> None:  # type: ignore[no-untyped-def]
    assert selectors.financial_overview(therapist=practice.alice_therapist).paid_percent is None


def _populate(therapist: Therapist, patients: int) -> None:
    for index in range(patients):
        patient = PatientFactory(therapist=therapist)
        SessionNoteFactory(patient=patient)
        SessionNoteFactory(patient=patient, session_date=date(2030, 2, 1))
        FinancialRecordFactory(patient=patient, status="paid", paid_date=date(2030, 3, 1))
        FinancialRecordFactory(patient=patient)
        AppointmentFactory(
            patient=patient,
            scheduled_start=datetime(2030, 4, 1, tzinfo=UTC) + timedelta(hours=index),
            scheduled_end=datetime(2030, 4, 1, 0, 50, tzinfo=UTC) + timedelta(hours=index),
        )


LIST_SELECTORS = {
    "upcoming_appointments": lambda t: selectors.upcoming_appointments(
        therapist=t,
        now=datetime(2030, 1, 1, tzinfo=UTC),
    ),
    "financial_summary": lambda t: selectors.financial_summary(therapist=t),
    "active_patients_with_appointments": lambda t: selectors.active_patients_with_appointments(therapist=t),
    "overdue_ageing": lambda t: selectors.overdue_ageing(therapist=t, today=date(2031, 1, 1)),
    "at_risk_patients": lambda t: selectors.at_risk_patients(therapist=t),
    "tag_usage": lambda t: selectors.tag_usage(therapist=t),
    "appointment_durations": lambda t: selectors.appointment_durations(therapist=t),
}


@pytest.mark.parametrize("name", sorted(LIST_SELECTORS))
@pytest.mark.parametrize("patients", [1, 50])
def test_each_dashboard_selector_is_one_query_for_1_or_50_patients(
    name: str,
    patients: int,
    practice,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    _populate(practice.alice_therapist, patients)
    with django_assert_num_queries(1):
        rows = list(LIST_SELECTORS[name](practice.alice_therapist))
        for row in rows:
            # Touch what a dashboard renders, including related rows.
            str(row["patient_name"] if isinstance(row, dict) else getattr(row, "patient", row))
    if name in ("financial_summary", "active_patients_with_appointments", "upcoming_appointments"):
        assert len(rows) == patients + (1 if name != "upcoming_appointments" else 0)


def test_patient_summary_is_one_query(practice, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    _populate(practice.alice_therapist, 3)
    with django_assert_num_queries(1):
        selectors.patient_summary(therapist=practice.alice_therapist, patient_id=practice.alice_patient.pk)


def test_selectors_never_show_another_therapists_rows(practice) -> None:  # type: ignore[no-untyped-def]
    _populate(practice.bob_therapist, 2)
    alice = practice.alice_therapist
    assert [p["id"] for p in selectors.financial_summary(therapist=alice)] == [practice.alice_patient.pk]
    assert list(selectors.upcoming_appointments(therapist=alice, now=datetime(2030, 1, 1, tzinfo=UTC))) == []
    assert [p["id"] for p in selectors.active_patients_with_appointments(therapist=alice)] == [
        practice.alice_patient.pk
    ]
