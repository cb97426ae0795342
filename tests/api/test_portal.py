"""The patient portal: only the patient's own data, never clinical text, bad input writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice import services
from practice.models import Appointment, AppointmentStatus, FinancialRecord, MoodEntry, Patient, ProgressEntry
from tests.api.access import api_routes, implemented_methods
from tests.api.conftest import CANARY, client_for
from tests.api.matrix import MATRIX
from tests.practice.factories import (
    AppointmentFactory,
    FinancialRecordFactory,
    MoodEntryFactory,
    ProgressEntryFactory,
)

FORBIDDEN_KEY_PARTS = ("content", "private", "risk", "safety_plan", "crisis", "preparation")
PORTAL = "v1:portal:"


def pat_a(world: dict[str, Any]) -> Any:
    return client_for("owner", world, "patient")


def pat_b(world: dict[str, Any]) -> Any:
    return client_for("other_same_role", world, "patient")


def keys_of(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in keys_of(value)}
    if isinstance(data, list):
        return {k for item in data for k in keys_of(item)}
    return set()


@pytest.fixture
def canary_world(world: dict[str, Any]) -> dict[str, Any]:
    """The world plus therapist-only text carrying the canary everywhere a portal row could reach it."""
    Patient.objects.filter(pk=world["patient"].pk).update(notes=f"{CANARY} patient notes")
    ProgressEntry.objects.filter(pk=world["progress"].pk).update(notes=f"{CANARY} progress notes")
    FinancialRecord.objects.filter(pk=world["invoice"].pk).update(notes=f"{CANARY} billing notes")
    MoodEntryFactory(patient=world["patient"], session_note=world["note"], notes=f"{CANARY} session mood note")
    past = AppointmentFactory(
        patient=world["patient"],
        scheduled_start=timezone.now() - timedelta(days=7),
        scheduled_end=timezone.now() - timedelta(days=7) + timedelta(minutes=50),
        status=AppointmentStatus.CANCELLED,
        private_notes=f"{CANARY} past private",
        preparation_notes=f"{CANARY} past prep",
        cancellation_reason=f"{CANARY} therapist's reason",
    )
    world["past_appointment"] = past
    return world


def test_no_portal_response_ever_contains_the_canary_or_a_clinical_field(canary_world: dict[str, Any]) -> None:
    world = canary_world
    by_route = {e.route: e for e in MATRIX}
    routes = sorted((name, view) for name, view in api_routes() if name.startswith(PORTAL))
    assert len(routes) >= 11
    client = pat_a(world)
    bodies = []
    for name, view in routes:
        endpoint = by_route[name]  # the access-matrix test fails for a portal route missing here
        url = reverse(name, kwargs=endpoint.kwargs(world))
        # Reads first, so the writes (e.g. cancelling) cannot hide anything the reads would show.
        for method in sorted(implemented_methods(view, name), key=lambda m: m != "GET"):
            expect = endpoint.methods[method]
            body = expect.body(world) if expect.body else {}
            response = getattr(client, method.lower())(url, body, format="json")
            assert response.status_code < 300, (method, url, response.status_code)
            text = response.content.decode()
            assert CANARY not in text, f"{method} {url} leaked the canary"
            data = json.loads(text)
            leaked = {k for k in keys_of(data) if any(part in k.lower() for part in FORBIDDEN_KEY_PARTS)}
            assert leaked == set(), f"{method} {url} has clinical fields {leaked}"
            bodies.append(text)
    # The checks ran over real data: the patient saw her appointments, scores and bills.
    everything = "".join(bodies)
    for obj in ("appointment", "past_appointment", "mood", "progress", "invoice"):
        assert str(world[obj].pk) in everything


def test_lists_show_only_the_callers_own_rows(world: dict[str, Any]) -> None:
    MoodEntryFactory(patient=world["patient_b"], mood_rating=3)
    for name in ("appointment-list", "mood-list", "progress-list", "invoice-list"):
        mine = pat_a(world).get(reverse(PORTAL + name)).json()["results"]
        theirs = pat_b(world).get(reverse(PORTAL + name)).json()["results"]
        assert mine, name
        assert not {row["id"] for row in mine} & {row["id"] for row in theirs}, name
    assert pat_b(world).get(reverse(PORTAL + "profile")).json()["id"] == str(world["patient_b"].pk)


def test_another_patients_appointment_cannot_be_cancelled(world: dict[str, Any]) -> None:
    url = reverse(PORTAL + "appointment-cancel", kwargs={"pk": world["appointment"].pk})
    assert pat_b(world).post(url, {"reason": "not mine"}, format="json").status_code == 404
    world["appointment"].refresh_from_db()
    assert world["appointment"].status == AppointmentStatus.SCHEDULED


# --- appointments ---------------------------------------------------------------------------------------------


def test_upcoming_and_past_split_on_now(canary_world: dict[str, Any]) -> None:
    world = canary_world
    url = reverse(PORTAL + "appointment-list")
    upcoming = pat_a(world).get(url, {"when": "upcoming"}).json()["results"]
    past = pat_a(world).get(url, {"when": "past"}).json()["results"]
    assert [row["id"] for row in upcoming] == [str(world["appointment"].pk)]
    assert [row["id"] for row in past] == [str(world["past_appointment"].pk)]
    assert upcoming[0]["can_cancel"] is True and past[0]["can_cancel"] is False
    assert upcoming[0]["session_type_name"] == world["session_type"].name


def test_a_bad_when_is_a_400(world: dict[str, Any]) -> None:
    response = pat_a(world).get(reverse(PORTAL + "appointment-list"), {"when": "tomorrow"})
    assert response.status_code == 400
    assert "when" in response.json()["error"]["fields"]


def test_the_patient_cancels_an_upcoming_appointment_with_a_reason(world: dict[str, Any]) -> None:
    url = reverse(PORTAL + "appointment-cancel", kwargs={"pk": world["appointment"].pk})
    response = pat_a(world).post(url, {"reason": "  Away for work.  "}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == AppointmentStatus.CANCELLED
    world["appointment"].refresh_from_db()
    assert world["appointment"].cancellation_reason == "Cancelled by the patient: Away for work."


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": "x" * 1001}, {"reason": "ok", "status": "x"}])
def test_a_cancellation_without_a_proper_reason_is_a_400_and_changes_nothing(
    world: dict[str, Any],
    body: dict[str, Any],
) -> None:
    url = reverse(PORTAL + "appointment-cancel", kwargs={"pk": world["appointment"].pk})
    response = pat_a(world).post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    world["appointment"].refresh_from_db()
    assert world["appointment"].status == AppointmentStatus.SCHEDULED
    assert world["appointment"].cancellation_reason == ""


def test_cancelling_twice_or_after_the_start_is_a_409(canary_world: dict[str, Any]) -> None:
    world = canary_world
    started = AppointmentFactory(
        patient=world["patient"],
        scheduled_start=timezone.now() - timedelta(minutes=10),
        scheduled_end=timezone.now() + timedelta(minutes=40),
    )
    for appointment in (world["past_appointment"], started):
        url = reverse(PORTAL + "appointment-cancel", kwargs={"pk": appointment.pk})
        response = pat_a(world).post(url, {"reason": "sorry"}, format="json")
        assert response.status_code == 409, response.json()
    started.refresh_from_db()
    assert started.status == AppointmentStatus.SCHEDULED


# --- profile --------------------------------------------------------------------------------------------------


def test_the_patient_updates_their_contact_details(world: dict[str, Any]) -> None:
    response = pat_a(world).patch(
        reverse(PORTAL + "profile"),
        {"phone": "0400 111 222", "preferred_session_type": "Couples"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "0400 111 222"
    assert response.json()["therapist"]["name"] == "Alice Archer"
    world["patient"].refresh_from_db()
    assert (world["patient"].phone, world["patient"].preferred_session_type) == ("0400 111 222", "Couples")


@pytest.mark.parametrize(
    "body",
    [
        {"first_name": "Mallory"},
        {"status": "Inactive"},
        {"notes": "hi"},
        {"preferred_session_type": "Group"},
        {"phone": "1" * 21},
        {"phone": "0400", "email": "new@example.test"},
    ],
)
def test_a_bad_profile_change_is_a_400_and_changes_nothing(world: dict[str, Any], body: dict[str, Any]) -> None:
    before = Patient.objects.filter(pk=world["patient"].pk).values().get()
    response = pat_a(world).patch(reverse(PORTAL + "profile"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) & set(body)
    assert Patient.objects.filter(pk=world["patient"].pk).values().get() == before


# --- mood -----------------------------------------------------------------------------------------------------


def test_the_patient_records_a_mood_entry_for_today(world: dict[str, Any]) -> None:
    response = pat_a(world).post(
        reverse(PORTAL + "mood-list"),
        {"mood_rating": 4, "sleep_quality": 3, "notes": "rough night"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["mood_rating"], body["notes"], body["entry_date"]) == (4, "rough night", str(timezone.localdate()))
    entry = MoodEntry.objects.get(pk=body["id"])
    assert (entry.patient_id, entry.therapist_id) == (world["patient"].pk, world["therapist"].pk)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"mood_rating": 0},
        {"mood_rating": 11},
        {"mood_rating": "high"},
        {"mood_rating": 5, "energy_level": 12},
        {"mood_rating": 5, "entry_date": "2999-01-01"},
        {"mood_rating": 5, "entry_date": "yesterday"},
        {"mood_rating": 5, "patient": "someone-else"},
        {"mood_rating": 5, "session_note": "x"},
    ],
)
def test_a_bad_mood_entry_is_a_400_and_writes_nothing(world: dict[str, Any], body: dict[str, Any]) -> None:
    before = MoodEntry.objects.count()
    response = pat_a(world).post(reverse(PORTAL + "mood-list"), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    assert MoodEntry.objects.count() == before


# --- invoices -------------------------------------------------------------------------------------------------


def test_amounts_owed_are_the_patients_share_of_open_bills(world: dict[str, Any]) -> None:
    today = timezone.localdate()
    insured = services.financial_record_create(
        therapist=world["therapist"],
        patient=world["patient"],
        amount=Decimal("200.00"),
        record_type="session",
        record_date=today - timedelta(days=40),
        due_date=today - timedelta(days=10),
        coverage_percent=Decimal("75"),
    )
    paid = services.financial_record_create(
        therapist=world["therapist"],
        patient=world["patient"],
        amount=Decimal("90.00"),
        record_type="session",
        record_date=today,
    )
    services.financial_record_pay(record=paid, paid_date=today, payment_method="cash")
    client = pat_a(world)
    rows = {row["id"]: row for row in client.get(reverse(PORTAL + "invoice-list")).json()["results"]}
    assert Decimal(rows[str(insured.pk)]["amount_owed"]) == Decimal("50.00")
    assert Decimal(rows[str(paid.pk)]["amount_owed"]) == Decimal("0.00")
    summary = client.get(reverse(PORTAL + "invoice-summary")).json()
    assert Decimal(summary["total_owed"]) == Decimal("200.00")  # 150 (world's bill) + 50
    assert Decimal(summary["overdue_owed"]) == Decimal("50.00")
    assert summary["open_count"] == 2
    only_paid = client.get(reverse(PORTAL + "invoice-list"), {"status": "paid"}).json()["results"]
    assert [row["id"] for row in only_paid] == [str(paid.pk)]


def test_progress_shows_scores_against_baseline_and_target(world: dict[str, Any]) -> None:
    rows = pat_a(world).get(reverse(PORTAL + "progress-list")).json()["results"]
    assert rows == [
        {
            "id": str(world["progress"].pk),
            "entry_date": str(world["progress"].entry_date),
            "progress_area": {"id": str(world["progress_area"].pk), "name": world["progress_area"].name},
            "score": 6,
            "baseline_score": 3,
            "target_score": 8,
        }
    ]
    other_area = pat_a(world).get(reverse(PORTAL + "progress-list"), {"progress_area": str(world["tag"].pk)})
    assert other_area.json()["results"] == []
    assert pat_a(world).get(reverse(PORTAL + "progress-list"), {"progress_area": "nope"}).status_code == 400


# --- query counts ---------------------------------------------------------------------------------------------


def _add_rows(world: dict[str, Any], n: int) -> None:
    patient = world["patient"]
    start = timezone.now() + timedelta(days=30)
    for i in range(n):
        begins = start + timedelta(hours=i)
        AppointmentFactory(
            patient=patient,
            session_type=world["session_type"],
            scheduled_start=begins,
            scheduled_end=begins + timedelta(minutes=50),
        )
        MoodEntryFactory(patient=patient)
        ProgressEntryFactory(patient=patient, progress_area=world["progress_area"])
        FinancialRecordFactory(patient=patient)


@pytest.mark.parametrize("name", ["appointment-list", "mood-list", "progress-list", "invoice-list"])
def test_list_query_count_does_not_grow_with_rows(world: dict[str, Any], name: str) -> None:
    client = pat_a(world)
    url = reverse(PORTAL + name)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    few, rows_few = count()
    _add_rows(world, 49)
    many, rows_many = count()
    assert rows_few >= 1 and rows_many == 50
    assert many == few


def test_appointments_are_loaded_without_their_private_columns(world: dict[str, Any]) -> None:
    client = pat_a(world)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(PORTAL + "appointment-list"))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "private_notes" not in sql and "preparation_notes" not in sql
    assert Appointment.objects.filter(private_notes__contains=CANARY).exists()
