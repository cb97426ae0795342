"""Therapist API reads: the dashboards' numbers, the timeline, filters, search by POST, and no patient data
in any URL the therapist API defines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from practice import services
from practice.models import Patient
from tests.api.therapist_helpers import NS, Desk, make_desk
from tests.practice.factories import (
    FinancialRecordFactory,
    MoodEntryFactory,
    PatientFactory,
    ProgressAreaFactory,
    ProgressEntryFactory,
)

# Query parameters the therapist API may define: ids, dates, statuses, flags, pages – nothing about a person.
ALLOWED_QUERY_PARAMETERS = {
    "page",
    "patient",
    "status",
    "archived",
    "since",
    "until",
    "signed",
    "is_template",
    "period",
}
THERAPIST_PREFIXES = (
    "/api/v1/patients",
    "/api/v1/appointments",
    "/api/v1/session-notes",
    "/api/v1/mood-entries",
    "/api/v1/progress-entries",
    "/api/v1/financial-records",
    "/api/v1/tags",
    "/api/v1/session-types",
    "/api/v1/progress-areas",
    "/api/v1/dashboard",
)


@pytest.fixture
def desk(db: None) -> Desk:
    return make_desk()


@pytest.fixture
def ada(desk: Desk) -> Patient:
    return PatientFactory(therapist=desk.therapist, first_name="Ada", last_name="Alpha", email="ada@example.test")


def _get(desk: Desk, name: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    response = desk.client.get(reverse(NS + name, kwargs=kwargs or None), params or {})
    assert response.status_code == 200, response.data
    return response.data


def test_the_financial_summary_matches_the_original_financial_page(desk: Desk, ada: Patient) -> None:
    day = date(2025, 6, 20)
    for amount in ("300.00", "200.00"):
        FinancialRecordFactory(patient=ada, record_date=day, amount=Decimal(amount), status="paid", paid_date=day)
    FinancialRecordFactory(
        patient=ada,
        record_date=day,
        amount=Decimal("150.00"),
        status="pending",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    FinancialRecordFactory(patient=ada, record_date=day, amount=Decimal("200.00"), status="overdue")
    FinancialRecordFactory(patient=desk.other_patient, record_date=day, amount=Decimal("999.00"))

    assert _get(desk, "dashboard-financial-summary") == {
        "period": "all",
        "status": None,
        "since": None,
        "total": "850.00",
        "paid": "500.00",
        "paid_percent": "58.8",
        "pending": "150.00",
        "pending_count": 1,
        "overdue": "200.00",
        "overdue_count": 1,
    }
    last_week = _get(desk, "dashboard-financial-summary", {"period": "week"})
    assert (last_week["total"], last_week["paid_percent"]) == ("0.00", None)
    assert last_week["since"] == (timezone.localdate() - timedelta(days=7)).isoformat()
    assert _get(desk, "dashboard-financial-summary", {"status": "paid"})["total"] == "500.00"
    bad = desk.client.get(reverse(NS + "dashboard-financial-summary"), {"period": "decade", "status": "lost"})
    assert bad.status_code == 400
    assert set(bad.data["error"]["fields"]) == {"period", "status"}

    balances = _get(desk, "dashboard-patient-balances")["results"]
    assert [(b["patient_name"], b["total_amount"], b["total_overdue"]) for b in balances] == [
        ("Ada Alpha", "850.00", "200.00"),
    ]


def test_the_records_list_filters_by_period_and_derived_status(desk: Desk, ada: Patient) -> None:
    today = timezone.localdate()
    late = FinancialRecordFactory(
        patient=ada, record_date=today - timedelta(days=40), status="pending", due_date=today - timedelta(days=10)
    )
    fresh = FinancialRecordFactory(
        patient=ada, record_date=today - timedelta(days=2), status="pending", due_date=today + timedelta(days=10)
    )
    ids = lambda params: [r["id"] for r in _get(desk, "financial-record-list", params)["results"]]  # noqa: E731
    assert ids({"status": "overdue"}) == [str(late.pk)]  # pending past its due date counts as overdue
    assert ids({"status": "pending"}) == [str(fresh.pk)]
    assert ids({"period": "week"}) == [str(fresh.pk)]
    assert ids({"period": "quarter"}) == [str(fresh.pk), str(late.pk)]
    assert ids({"patient": str(desk.other_patient.pk)}) == []


def test_the_patient_summary_has_sessions_moods_amount_owed_and_next_appointment(desk: Desk, ada: Patient) -> None:
    for day, mood in ((date(2030, 1, 1), 4), (date(2030, 1, 8), 8)):
        services.session_note_create(therapist=desk.therapist, patient=ada, session_date=day, content="x")
        MoodEntryFactory(patient=ada, entry_date=day, mood_rating=mood)
    services.financial_record_create(
        therapist=desk.therapist,
        patient=ada,
        amount=Decimal("150.00"),
        record_type="session",
        record_date=date(2030, 1, 8),
    )
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    services.appointment_book(therapist=desk.therapist, patient=ada, scheduled_start=start)

    summary = _get(desk, "patient-summary", pk=ada.pk)
    assert {
        k: summary[k]
        for k in ("patient_name", "total_sessions", "latest_mood", "avg_mood", "total_amount_owed", "last_session_date")
    } == {
        "patient_name": "Ada Alpha",
        "total_sessions": 2,
        "latest_mood": 8,
        "avg_mood": "6.00",
        "total_amount_owed": "150.00",
        "last_session_date": "2030-01-08",
    }
    assert summary["next_appointment"].startswith(start.astimezone(timezone.get_current_timezone()).date().isoformat())
    missing = desk.client.get(reverse(NS + "patient-summary", kwargs={"pk": desk.other_patient.pk}))
    assert missing.status_code == 404


def test_the_timeline_puts_mood_progress_and_tagged_notes_on_one_date_axis(desk: Desk, ada: Patient) -> None:
    area = ProgressAreaFactory(name="Sleep")
    ProgressEntryFactory(patient=ada, progress_area=area, entry_date=date(2030, 1, 3), score=4)
    MoodEntryFactory(patient=ada, entry_date=date(2030, 1, 2), mood_rating=7)
    services.session_note_create(
        therapist=desk.therapist,
        patient=ada,
        session_date=date(2030, 1, 1),
        content="x",
        tags=["sleep", "homework"],
        mood_rating=5,
    )
    MoodEntryFactory(patient=ada, entry_date=date(2030, 2, 1), mood_rating=3)

    timeline = _get(desk, "patient-timeline", {"until": "2030-01-31"}, pk=ada.pk)
    assert timeline["patient"] == str(ada.pk)
    assert [(e["date"], e["kind"]) for e in timeline["events"]] == [
        ("2030-01-01", "note"),
        ("2030-01-02", "mood"),
        ("2030-01-03", "progress"),
    ]
    note, mood, progress = timeline["events"]
    assert (note["tags"], note["mood_rating"], note["signed"]) == (["homework", "sleep"], 5, False)
    assert mood["mood_rating"] == 7
    assert (progress["score"], progress["progress_area"]) == (4, "Sleep")
    assert len(_get(desk, "patient-timeline", pk=ada.pk)["events"]) == 4


def test_appointments_list_by_date_range(desk: Desk, ada: Patient) -> None:
    base = timezone.make_aware(timezone.datetime(2030, 3, 4, 10, 0))
    booked = [
        services.appointment_book(therapist=desk.therapist, patient=ada, scheduled_start=base + timedelta(days=d))
        for d in range(4)
    ]
    listed = _get(desk, "appointment-list", {"since": "2030-03-05", "until": "2030-03-06"})["results"]
    assert [a["id"] for a in listed] == [str(booked[1].pk), str(booked[2].pk)]
    for bad in ({"since": "tomorrow"}, {"until": ""}, {"since": ""}, {"page": "x"}, {"page": "0"}):
        assert desk.client.get(reverse(NS + "appointment-list"), bad).status_code == 400, bad
    # The far ends of the calendar are no bound at all (every appointment is inside them).
    everything = _get(desk, "appointment-list", {"since": "0001-01-01", "until": "9999-12-31"})["results"]
    assert len(everything) == 4
    upcoming = _get(desk, "dashboard-upcoming-appointments")["results"]
    assert [a["id"] for a in upcoming] == [str(a.pk) for a in booked]
    assert upcoming[0]["patient_name"] == "Ada Alpha"


def test_active_patients_show_session_counts_and_skip_inactive_ones(desk: Desk, ada: Patient) -> None:
    services.session_note_create(therapist=desk.therapist, patient=ada, session_date=date(2030, 1, 1), content="x")
    gone = PatientFactory(therapist=desk.therapist, status="Inactive")
    rows = _get(desk, "dashboard-active-patients")["results"]
    assert [(r["id"], r["total_sessions"]) for r in rows] == [(str(ada.pk), 1)]
    assert str(gone.pk) not in {r["id"] for r in rows}


def test_the_patient_search_is_a_fuzzy_scoped_post(desk: Desk, ada: Patient) -> None:
    url = reverse(NS + "patient-search")
    assert desk.client.get(url, {"query": "alpha"}).status_code == 405
    for query in ("LPH", "adda alpha"):  # a substring, and a typo
        found = desk.client.post(url, {"query": query}, format="json").data["results"]
        assert [p["id"] for p in found] == [str(ada.pk)], query
    assert desk.client.post(url, {"query": "Beta"}, format="json").data["results"] == []  # Bob's patient
    assert desk.client.post(url, {"query": "alpha", "status": "Inactive"}, format="json").data["results"] == []


def test_the_therapist_api_puts_no_patient_data_in_query_strings(db: None) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    seen: set[str] = set()
    for path, operations in schema["paths"].items():
        if not path.startswith(THERAPIST_PREFIXES):
            continue
        for operation in operations.values():
            seen |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert seen
    assert seen <= ALLOWED_QUERY_PARAMETERS, seen - ALLOWED_QUERY_PARAMETERS


def test_the_tags_list_counts_only_your_own_notes(desk: Desk, ada: Patient) -> None:
    services.session_note_create(
        therapist=desk.therapist, patient=ada, session_date=date(2030, 1, 1), content="x", tags=["sleep"]
    )
    services.session_note_create(
        therapist=desk.other,
        patient=desk.other_patient,
        session_date=date(2030, 1, 1),
        content="x",
        tags=["sleep", "grief"],
    )
    tags = {t["name"]: t["usage_count"] for t in _get(desk, "tag-list")["results"]}
    assert tags == {"sleep": 1, "grief": 0}


def test_the_patient_list_rows_carry_the_g2_numbers_but_no_clinical_notes(desk: Desk, ada: Patient) -> None:
    Patient.objects.filter(pk=ada.pk).update(notes="private clinical note", emergency_contact_name="Someone")
    PatientFactory(therapist=desk.therapist, first_name="Bea", last_name="Beta", status="Inactive")
    rows = _get(desk, "patient-list")["results"]
    assert [row["full_name"] for row in rows] == ["Ada Alpha", "Bea Beta"]
    assert set(rows[0]) == {
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
    }
    assert rows[0]["id"] == str(ada.pk) and rows[0]["total_sessions"] == 0
    detail = _get(desk, "patient-detail", pk=ada.pk)
    assert detail["notes"] == "private clinical note"  # the patient's own page keeps everything
    assert [r["full_name"] for r in _get(desk, "patient-list", {"status": "Inactive"})["results"]] == ["Bea Beta"]


def test_a_bad_list_filter_is_a_400_with_the_field_named(desk: Desk) -> None:
    response = desk.client.get(reverse(NS + "patient-list"), {"status": "Sleeping"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status"}


def test_a_list_page_past_the_end_is_a_404_and_pages_do_not_overlap(desk: Desk) -> None:
    for index in range(55):
        PatientFactory(therapist=desk.therapist, first_name="P", last_name=f"N{index:02d}")
    first, second = _get(desk, "patient-list"), _get(desk, "patient-list", {"page": 2})
    assert first["count"] == 55 and len(first["results"]) == 50 and len(second["results"]) == 5
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert desk.client.get(reverse(NS + "patient-list"), {"page": 3}).status_code == 404
