"""Therapist API writes: bad input is a 400 with field errors and writes nothing; clashes and wrong workflow
states are 409s; another therapist's ids in a body are never accepted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from practice import services
from practice.models import Appointment, FinancialRecord, Patient, SessionNote
from tests.api.therapist_helpers import NS, Desk, make_desk
from tests.practice.factories import AppointmentFactory, SessionNoteFactory, SessionTypeFactory


@pytest.fixture
def desk(db: None) -> Desk:
    return make_desk()


@pytest.fixture
def things(desk: Desk) -> dict[str, Any]:
    patient = Patient.objects.create(therapist=desk.therapist, first_name="Ada", last_name="Alpha")
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    appointment = services.appointment_book(therapist=desk.therapist, patient=patient, scheduled_start=start)
    note = services.session_note_create(
        therapist=desk.therapist,
        patient=patient,
        session_date=timezone.localdate(),
        content="Draft.",
        tags=["a"],
    )
    signed = services.session_note_sign(
        note=services.session_note_create(
            therapist=desk.therapist,
            patient=patient,
            session_date=timezone.localdate(),
            content="Signed.",
        ),
        signed_by=desk.user,
    )
    bill = services.financial_record_create(
        therapist=desk.therapist,
        patient=patient,
        amount=Decimal("100.00"),
        record_type="session",
        record_date=timezone.localdate(),
    )
    return {
        "patient": patient,
        "appointment": appointment,
        "note": note,
        "signed": signed,
        "bill": bill,
        "start": start,
    }


def _snapshot() -> dict[str, Any]:
    """Every practice row, as its full field values: nothing written means this did not change."""
    return {
        model.__name__: sorted(map(str, model._default_manager.values_list()))
        for model in apps.get_app_config("practice").get_models()
        if not model.__name__.endswith("Event")
    }


def _url(name: str, things: dict[str, Any], key: str | None = None) -> str:
    return reverse(NS + name, kwargs={"pk": things[key].pk} if key else None)


def _post(desk: Desk, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(desk.client, method)(url, body, format="json")


BAD_INPUT: list[tuple[str, str, str | None, Callable[[dict[str, Any]], dict[str, Any]], set[str]]] = [
    ("post", "patient-list", None, lambda t: {"first_name": "", "email": "nope"}, {"first_name", "last_name", "email"}),
    ("patch", "patient-detail", "patient", lambda t: {"email": "nope", "status": "Gone"}, {"email", "status"}),
    ("post", "patient-search", None, lambda t: {}, {"query"}),
    (
        "post",
        "appointment-list",
        None,
        lambda t: {"patient": str(t["patient"].pk), "scheduled_start": "soon"},
        {"scheduled_start"},
    ),
    (
        "post",
        "appointment-list",
        None,  # service-level: ends before it starts
        lambda t: {
            "patient": str(t["patient"].pk),
            "scheduled_start": (t["start"] + timedelta(days=1)).isoformat(),
            "scheduled_end": t["start"].isoformat(),
        },
        {"scheduled_end"},
    ),
    ("patch", "appointment-detail", "appointment", lambda t: {"meeting_url": "nope"}, {"meeting_url"}),
    ("post", "appointment-reschedule", "appointment", lambda t: {"scheduled_start": 5}, {"scheduled_start"}),
    (
        "post",
        "appointment-reschedule",
        "appointment",  # the kept length would overflow the calendar
        lambda t: {"scheduled_start": "9999-12-31T23:59:00Z"},
        {"scheduled_start"},
    ),
    ("post", "appointment-cancel", "appointment", lambda t: {"reason": ""}, {"reason"}),
    (
        "post",
        "appointment-complete",
        "appointment",  # service-level: ends before it starts
        lambda t: {"actual_start": t["start"].isoformat(), "actual_end": (t["start"] - timedelta(hours=1)).isoformat()},
        {"actual_end"},
    ),
    (
        "post",
        "session-note-list",
        None,
        lambda t: {"patient": str(t["patient"].pk), "session_date": "x", "content": "", "mood_rating": 0},
        {"session_date", "content", "mood_rating"},
    ),
    (
        "post",
        "session-note-list",
        None,  # service-level: elevated risk without a safety plan
        lambda t: {
            "patient": str(t["patient"].pk),
            "session_date": "2030-01-01",
            "content": "x",
            "suicide_risk_level": "high",
        },
        {"safety_plan"},
    ),
    (
        "patch",
        "session-note-detail",
        "note",
        lambda t: {"mood_rating": 11, "tags": "not-a-list"},
        {"mood_rating", "tags"},
    ),
    ("post", "session-note-amend", "signed", lambda t: {"reason": ""}, {"content", "reason"}),
    (
        "post",
        "mood-entry-list",
        None,
        lambda t: {"patient": str(t["patient"].pk), "entry_date": "2030-01-01", "mood_rating": 11},
        {"mood_rating"},
    ),
    (
        "post",
        "progress-entry-list",
        None,
        lambda t: {
            "patient": str(t["patient"].pk),
            "entry_date": "2030-01-01",
            "score": 0,
            "progress_area": str(uuid4()),
        },
        {"score", "progress_area"},
    ),
    (
        "post",
        "financial-record-list",
        None,
        lambda t: {"patient": str(t["patient"].pk), "amount": "-1", "record_type": "gift", "record_date": "x"},
        {"amount", "record_type", "record_date"},
    ),
    (
        "post",
        "financial-record-list",
        None,  # service-level: discount above the amount
        lambda t: {
            "patient": str(t["patient"].pk),
            "amount": "10.00",
            "record_type": "session",
            "record_date": "2030-01-01",
            "discount_applied": "20.00",
        },
        {"discount_applied"},
    ),
    (
        "post",
        "financial-record-pay",
        "bill",
        lambda t: {"paid_date": "2030-01-01", "payment_method": "beads"},
        {"payment_method"},
    ),
    ("post", "financial-record-void", "bill", lambda t: {"reason": ""}, {"reason"}),
]


@pytest.mark.parametrize(
    ("method", "name", "key", "body", "fields"),
    BAD_INPUT,
    ids=[f"{m}-{n}-{sorted(f)[0]}" for m, n, _, _, f in BAD_INPUT],
)
def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(
    desk: Desk,
    things: dict[str, Any],
    method: str,
    name: str,
    key: str | None,
    body: Callable[[dict[str, Any]], dict[str, Any]],
    fields: set[str],
) -> None:
    before = _snapshot()
    response = _post(desk, method, _url(name, things, key), body(things))
    assert response.status_code == 400, response.data
    error = response.data["error"]
    assert error["status"] == 400
    assert set(error["fields"]) == fields
    assert _snapshot() == before


def test_an_overlapping_booking_is_a_409_with_a_clear_message(desk: Desk, things: dict[str, Any]) -> None:
    before = _snapshot()
    overlapping = things["start"] + timedelta(minutes=20)
    body = {"patient": str(things["patient"].pk), "scheduled_start": overlapping.isoformat()}
    response = desk.client.post(reverse(NS + "appointment-list"), body, format="json")
    assert response.status_code == 409
    assert response.data["error"]["code"] == "conflict"
    message = response.data["error"]["message"]
    patient = things["patient"]
    assert message.startswith(
        f"The therapist already has an appointment at this time: {patient.first_name} {patient.last_name}, "
    )
    assert " Next free slot: " in message
    assert response.data["error"]["fields"] == {"scheduled_start": [message]}
    assert _snapshot() == before


def test_rescheduling_onto_another_appointment_is_a_409(desk: Desk, things: dict[str, Any]) -> None:
    later = services.appointment_book(
        therapist=desk.therapist,
        patient=things["patient"],
        scheduled_start=things["start"] + timedelta(hours=3),
    )
    response = desk.client.post(
        reverse(NS + "appointment-reschedule", kwargs={"pk": later.pk}),
        {"scheduled_start": (things["start"] + timedelta(minutes=30)).isoformat()},
        format="json",
    )
    assert response.status_code == 409
    later.refresh_from_db()
    assert later.scheduled_start == things["start"] + timedelta(hours=3)


def test_a_signed_note_is_read_only_409_on_update_delete_and_sign(desk: Desk, things: dict[str, Any]) -> None:
    url = reverse(NS + "session-note-detail", kwargs={"pk": things["signed"].pk})
    before = _snapshot()
    response = desk.client.patch(url, {"content": "Rewritten.", "tags": ["x"]}, format="json")
    assert response.status_code == 409
    assert "signed and locked" in response.data["error"]["message"]
    assert desk.client.delete(url).status_code == 409
    assert desk.client.post(reverse(NS + "session-note-sign", kwargs={"pk": things["signed"].pk})).status_code == 409
    assert _snapshot() == before
    assert desk.client.get(url).data["content"] == "Signed."


def test_an_unsigned_note_is_edited_not_amended(desk: Desk, things: dict[str, Any]) -> None:
    response = desk.client.post(
        reverse(NS + "session-note-amend", kwargs={"pk": things["note"].pk}),
        {"content": "More.", "reason": "Addendum"},
        format="json",
    )
    assert response.status_code == 409


def test_workflow_steps_from_the_wrong_state_are_409s(desk: Desk, things: dict[str, Any]) -> None:
    appointment, bill = things["appointment"], things["bill"]
    cancel = reverse(NS + "appointment-cancel", kwargs={"pk": appointment.pk})
    assert desk.client.post(cancel, {"reason": "Ill"}, format="json").status_code == 200
    assert desk.client.post(cancel, {"reason": "Ill"}, format="json").status_code == 409
    assert desk.client.post(reverse(NS + "appointment-no-show", kwargs={"pk": appointment.pk})).status_code == 409
    void = reverse(NS + "financial-record-void", kwargs={"pk": bill.pk})
    assert desk.client.post(void, {"reason": "Twice"}, format="json").status_code == 200
    pay = reverse(NS + "financial-record-pay", kwargs={"pk": bill.pk})
    response = desk.client.post(pay, {"paid_date": "2030-01-01", "payment_method": "cash"}, format="json")
    assert response.status_code == 409
    assert FinancialRecord.objects.get(pk=bill.pk).status == "cancelled"


def test_another_therapists_ids_in_a_body_are_never_accepted(desk: Desk, things: dict[str, Any]) -> None:
    bobs_patient = desk.other_patient
    bobs_appointment = AppointmentFactory(patient=bobs_patient)
    bobs_note = SessionNoteFactory(patient=bobs_patient)
    before = _snapshot()
    cases = [
        ("appointment-list", {"patient": str(bobs_patient.pk), "scheduled_start": "2031-01-01T09:00:00Z"}, "patient"),
        (
            "session-note-list",
            {"patient": str(bobs_patient.pk), "session_date": "2030-01-01", "content": "x"},
            "patient",
        ),
        (
            "session-note-list",
            {
                "patient": str(things["patient"].pk),
                "session_date": "2030-01-01",
                "content": "x",
                "appointment": str(bobs_appointment.pk),
            },
            "appointment",
        ),
        (
            "mood-entry-list",
            {
                "patient": str(things["patient"].pk),
                "entry_date": "2030-01-01",
                "mood_rating": 5,
                "session_note": str(bobs_note.pk),
            },
            "session_note",
        ),
        ("progress-entry-list", {"patient": str(bobs_patient.pk), "entry_date": "2030-01-01", "score": 5}, "patient"),
        (
            "financial-record-list",
            {
                "patient": str(things["patient"].pk),
                "amount": "1.00",
                "record_type": "session",
                "record_date": "2030-01-01",
                "appointment": str(bobs_appointment.pk),
            },
            "appointment",
        ),
    ]
    for name, body, field in cases:
        response = desk.client.post(reverse(NS + name), body, format="json")
        assert response.status_code == 400, (name, response.data)
        assert list(response.data["error"]["fields"]) == [field], name
    assert _snapshot() == before
    patch = desk.client.patch(
        reverse(NS + "session-note-detail", kwargs={"pk": things["note"].pk}),
        {"appointment": str(bobs_appointment.pk)},
        format="json",
    )
    assert patch.status_code == 400
    assert SessionNote.objects.get(pk=things["note"].pk).appointment_id is None


def test_booking_completing_and_the_happy_paths_go_through_the_services(desk: Desk, things: dict[str, Any]) -> None:
    couples = SessionTypeFactory(name="Couples", default_duration_minutes=80)
    # A session that has taken place (only a started one can be completed).
    start = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    response = desk.client.post(
        reverse(NS + "appointment-list"),
        {
            "patient": str(things["patient"].pk),
            "scheduled_start": start.isoformat(),
            "session_type": str(couples.pk),
            "appointment_type": "Virtual",
            "meeting_url": "https://meet.example.test/x",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    booked = Appointment.objects.get(pk=response.data["id"])
    assert booked.scheduled_end - booked.scheduled_start == timedelta(minutes=80)
    assert booked.therapist == desk.therapist
    done = desk.client.post(
        reverse(NS + "appointment-complete", kwargs={"pk": booked.pk}),
        {
            "actual_start": start.isoformat(),
            "actual_end": (start + timedelta(minutes=85)).isoformat(),
        },
        format="json",
    )
    assert done.status_code == 200
    assert done.data["status"] == "completed"

    note = desk.client.post(
        reverse(NS + "session-note-list"),
        {
            "patient": str(things["patient"].pk),
            "session_date": "2030-01-02",
            "content": "Good session.",
            "tags": ["Anxiety, homework", " anxiety "],
            "appointment": str(booked.pk),
            "mood_rating": 7,
        },
        format="json",
    )
    assert note.status_code == 201, note.data
    assert sorted(note.data["tags"]) == ["anxiety", "homework"]
    detail = reverse(NS + "session-note-detail", kwargs={"pk": note.data["id"]})
    edited = desk.client.patch(detail, {"tags": ["breakthrough"], "homework_assigned": "Journal"}, format="json")
    assert edited.status_code == 200
    assert edited.data["tags"] == ["breakthrough"]
    signed = desk.client.post(reverse(NS + "session-note-sign", kwargs={"pk": note.data["id"]}))
    assert signed.data["is_signed"] is True
    amended = desk.client.post(
        reverse(NS + "session-note-amend", kwargs={"pk": note.data["id"]}),
        {"content": "Also discussed sleep.", "reason": "Addendum"},
        format="json",
    )
    assert amended.status_code == 201
    assert [a["content"] for a in desk.client.get(detail).data["amendments"]] == ["Also discussed sleep."]


def test_archiving_a_patient_keeps_them_and_the_filters_find_them(desk: Desk, things: dict[str, Any]) -> None:
    response = desk.client.post(reverse(NS + "patient-archive", kwargs={"pk": things["patient"].pk}))
    assert response.status_code == 200
    assert response.data["status"] == "Inactive"
    assert response.data["archived_at"] is not None
    listed = desk.client.get(reverse(NS + "patient-list"), {"archived": "true"}).data["results"]
    assert [p["id"] for p in listed] == [str(things["patient"].pk)]
    assert desk.client.get(reverse(NS + "patient-list"), {"archived": "false"}).data["results"] == []
    assert desk.client.get(reverse(NS + "patient-list"), {"status": "Nope"}).status_code == 400


def test_paying_a_bill_records_the_payment(desk: Desk, things: dict[str, Any]) -> None:
    response = desk.client.post(
        reverse(NS + "financial-record-pay", kwargs={"pk": things["bill"].pk}),
        {"paid_date": timezone.localdate().isoformat(), "payment_method": "cash"},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["status"] == "paid"
    assert response.data["transaction_date"] == timezone.localdate().isoformat()
