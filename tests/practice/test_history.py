"""pghistory keeps every change of the clinical tables, with the acting user as context."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pghistory.models
import pytest

from practice import services
from practice.models import Patient


def _events_for(obj) -> list:  # type: ignore[no-untyped-def]
    return list(pghistory.models.Events.objects.tracks(obj).order_by("pgh_created_at"))


def _user_of(event) -> object:  # type: ignore[no-untyped-def]
    return (event.pgh_context or {}).get("user")


def test_a_service_write_leaves_a_history_row_with_the_acting_user(practice) -> None:  # type: ignore[no-untyped-def]
    patient = services.patient_update(
        patient=practice.alice_patient,
        changes={"phone": "0400 000 000"},
        actor=practice.alice,
    )
    update = [e for e in _events_for(patient) if e.pgh_label == "update"]
    assert len(update) == 1
    assert _user_of(update[0]) == practice.alice.pk
    assert update[0].pgh_diff["phone"] == ["", "0400 000 000"]


@pytest.mark.parametrize("kind", ["appointment", "note", "mood", "progress", "financial"])
def test_every_clinical_table_is_tracked_with_the_user(kind: str, practice) -> None:  # type: ignore[no-untyped-def]
    common = {"patient": practice.alice_patient, "actor": practice.alice}
    therapist = practice.alice_therapist
    if kind == "appointment":
        start = datetime(2030, 5, 1, 9, tzinfo=UTC)
        obj = services.appointment_book(therapist=therapist, scheduled_start=start, **common)
    elif kind == "note":
        obj = services.session_note_create(therapist=therapist, session_date=date(2030, 5, 1), content="c", **common)
    elif kind == "mood":
        obj = services.mood_entry_record(entry_date=date(2030, 5, 1), mood_rating=5, **common)
    elif kind == "progress":
        obj = services.progress_entry_record(entry_date=date(2030, 5, 1), score=5, **common)
    else:
        obj = services.financial_record_create(
            therapist=therapist,
            amount=Decimal("100.00"),
            record_type="session",
            record_date=date(2030, 5, 1),
            **common,
        )
    events = _events_for(obj)
    assert [e.pgh_label for e in events] == ["insert"]
    assert _user_of(events[0]) == practice.alice.pk


def test_an_admin_request_attaches_the_logged_in_user(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    patient = practice.alice_patient
    response = client.post(
        f"/admin/practice/patient/{patient.pk}/change/",
        {
            "first_name": patient.first_name,
            "last_name": "Renamed",
            "email": patient.email,
            "phone": "",
            "preferred_session_type": "Individual",
            "status": "Active",
            "notes": "",
            "session_notes-TOTAL_FORMS": 0,
            "session_notes-INITIAL_FORMS": 0,
            "mood_entries-TOTAL_FORMS": 0,
            "mood_entries-INITIAL_FORMS": 0,
            "progress_entries-TOTAL_FORMS": 0,
            "progress_entries-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Patient.objects.get(pk=patient.pk).last_name == "Renamed"
    update = [e for e in _events_for(patient) if e.pgh_label == "update"][-1]
    assert _user_of(update) == practice.alice.pk
    assert update.pgh_context["url"] == f"/admin/practice/patient/{patient.pk}/change/"
