"""Admin scoping: Alice (therapist) sees only her own patients and what hangs off them; Bob (another
therapist of the practice) and Charlie (staff without a practice role) cannot open them; a practice
manager sees everything."""

from __future__ import annotations

from datetime import date

import pytest

from practice import services
from practice.models import Appointment, SessionNote
from tests.practice.factories import AppointmentFactory, FinancialRecordFactory, MoodEntryFactory, SessionNoteFactory


def _url(obj, view: str = "change") -> str:  # type: ignore[no-untyped-def]
    return f"/admin/practice/{obj._meta.model_name}/{obj.pk}/{view}/"


def test_alice_can_open_her_own_patient(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    response = client.get(_url(practice.alice_patient))
    assert response.status_code == 200
    assert b"Ada" in response.content


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_cannot_open_alices_patient(who: str, client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(practice, who))
    response = client.get(_url(practice.alice_patient))
    assert response.status_code in (302, 403, 404)
    assert b"Ada" not in response.content
    if response.status_code == 302:
        assert response["Location"] in ("/admin/", "/admin/login/?next=" + _url(practice.alice_patient))


@pytest.mark.parametrize("kind", ["appointment", "sessionnote", "moodentry", "financialrecord"])
def test_bob_cannot_open_what_hangs_off_alices_patient(kind: str, client, practice) -> None:  # type: ignore[no-untyped-def]
    factory = {
        "appointment": AppointmentFactory,
        "sessionnote": SessionNoteFactory,
        "moodentry": MoodEntryFactory,
        "financialrecord": FinancialRecordFactory,
    }[kind]
    obj = factory(patient=practice.alice_patient)
    client.force_login(practice.bob)
    assert client.get(_url(obj)).status_code in (302, 404)
    client.force_login(practice.alice)
    assert client.get(_url(obj)).status_code == 200


def test_the_patient_list_shows_alice_only_her_patients(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    response = client.get("/admin/practice/patient/")
    assert response.status_code == 200
    assert b"Alpha" in response.content
    assert b"Beta" not in response.content


def test_a_practice_manager_sees_every_patient(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.manager)
    listing = client.get("/admin/practice/patient/").content
    assert b"Alpha" in listing
    assert b"Beta" in listing
    assert client.get(_url(practice.bob_patient)).status_code == 200


def test_alice_cannot_book_an_appointment_for_bobs_patient(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    response = client.post(
        "/admin/practice/appointment/add/",
        {
            "patient": practice.bob_patient.pk,
            "scheduled_start_0": "2030-05-01",
            "scheduled_start_1": "09:00",
            "scheduled_end_0": "2030-05-01",
            "scheduled_end_1": "09:50",
            "appointment_type": "Virtual",
        },
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Appointment.objects.exists()


def test_alice_books_through_the_admin_and_overlaps_show_as_form_errors(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    form = {
        "patient": practice.alice_patient.pk,
        "scheduled_start_0": "2030-05-01",
        "scheduled_start_1": "09:00",
        "scheduled_end_0": "2030-05-01",
        "scheduled_end_1": "09:50",
        "appointment_type": "Virtual",
    }
    assert client.post("/admin/practice/appointment/add/", form).status_code == 302
    booked = Appointment.objects.get()
    assert booked.therapist == practice.alice_therapist
    overlapping = {**form, "scheduled_start_1": "09:30", "scheduled_end_1": "10:20"}
    again = client.post("/admin/practice/appointment/add/", overlapping)
    assert again.status_code == 200
    assert b"already has an appointment at this time" in again.content
    assert Appointment.objects.count() == 1


def test_the_patient_search_is_fuzzy_and_scoped(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    assert b"Alpha" in client.get("/admin/practice/patient/", {"q": "alph"}).content
    assert b"Beta" not in client.get("/admin/practice/patient/", {"q": "beta"}).content


def test_a_signed_note_is_read_only_in_the_admin_and_signing_is_an_action(client, practice) -> None:  # type: ignore[no-untyped-def]
    note = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 3, 1),
        content="Original text",
    )
    client.force_login(practice.alice)
    response = client.post("/admin/practice/sessionnote/", {"action": "sign_notes", "_selected_action": [note.pk]})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.signed_by == practice.alice
    page = client.get(_url(note))
    assert page.status_code == 200
    assert b'name="content"' not in page.content  # rendered read-only
    client.post(_url(note), {"content": "Tampered", "session_date": "2030-03-01", "patient": practice.alice_patient.pk})
    assert SessionNote.objects.get(pk=note.pk).content == "Original text"


def test_alice_amends_her_signed_note_through_the_admin(client, practice) -> None:  # type: ignore[no-untyped-def]
    note = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 3, 1),
        content="Original text",
    )
    services.session_note_sign(note=note, signed_by=practice.alice)
    client.force_login(practice.alice)
    response = client.post(
        "/admin/practice/sessionnoteamendment/add/",
        {
            "note": note.pk,
            "reason": "Correction",
            "content": "It was Tuesday.",
        },
    )
    assert response.status_code == 302
    assert note.amendments.get().author == practice.alice


def test_a_therapist_sees_only_their_own_record_in_the_therapist_list(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    response = client.get("/admin/practice/therapist/")
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [practice.alice_therapist]
    assert client.get(f"/admin/practice/therapist/{practice.alice_therapist.pk}/change/").status_code == 200
    assert client.get(f"/admin/practice/therapist/{practice.bob_therapist.pk}/change/").status_code == 302


def test_patient_choices_on_the_appointment_form_are_only_the_therapists_own(client, practice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(practice.alice)
    response = client.get("/admin/practice/appointment/add/")
    assert response.status_code == 200
    choices = list(response.context["adminform"].form.fields["patient"].queryset)
    assert choices == [practice.alice_patient]
