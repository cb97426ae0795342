"""Sign and lock: a signed note cannot change through the ORM, a bulk update or raw SQL; amendments can."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from practice import services
from practice.models import Appointment, NoteTag, SessionNote, SessionNoteAmendment
from sanctuary.errors import InvalidTransition
from tests.practice.factories import AppointmentFactory, SessionNoteFactory, TagFactory, UserFactory


@pytest.fixture
def signed_note(practice):  # type: ignore[no-untyped-def]
    note = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 3, 1),
        content="Worked on sleep hygiene.",
        tags=["sleep", "Homework"],
        actor=practice.alice,
    )
    return services.session_note_sign(note=note, signed_by=practice.alice)


def _raises_lock(action, error_class: type[DatabaseError] = IntegrityError) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(error_class) as error, transaction.atomic():
        action()
    return str(error.value)


def test_signing_records_who_and_when(signed_note: SessionNote, practice) -> None:  # type: ignore[no-untyped-def]
    assert signed_note.signed_at is not None
    assert signed_note.signed_by == practice.alice
    assert sorted(signed_note.tags.values_list("name", flat=True)) == ["homework", "sleep"]


def test_an_orm_save_of_a_signed_note_is_refused_by_the_database(signed_note: SessionNote) -> None:
    signed_note.content = "Rewritten history."
    assert "signed and locked" in _raises_lock(signed_note.save)


def test_a_bulk_update_of_a_signed_note_is_refused(signed_note: SessionNote) -> None:
    _raises_lock(lambda: SessionNote.objects.filter(pk=signed_note.pk).update(content="x"))


def test_raw_sql_cannot_update_or_delete_a_signed_note(signed_note: SessionNote) -> None:
    def update() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE practice_sessionnote SET content = 'x' WHERE id = %s", [signed_note.pk])

    def delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM practice_sessionnote WHERE id = %s", [signed_note.pk])

    _raises_lock(update)
    _raises_lock(delete)
    assert SessionNote.objects.get(pk=signed_note.pk).content == "Worked on sleep hygiene."


def test_the_tags_of_a_signed_note_are_locked(signed_note: SessionNote) -> None:
    _raises_lock(lambda: NoteTag.objects.create(note=signed_note, tag=TagFactory(name="new")))
    _raises_lock(lambda: NoteTag.objects.filter(note=signed_note).delete())
    assert signed_note.tags.count() == 2


def test_the_service_refuses_to_edit_sign_again_or_delete_a_signed_note(signed_note: SessionNote, practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidTransition, match="signed and locked"):
        services.session_note_update(note=signed_note, changes={"content": "x"})
    with pytest.raises(InvalidTransition):
        services.session_note_sign(note=signed_note, signed_by=practice.alice)
    with pytest.raises(InvalidTransition):
        services.session_note_delete(note=signed_note)


def test_an_amendment_is_the_way_to_correct_a_signed_note(signed_note: SessionNote, practice) -> None:  # type: ignore[no-untyped-def]
    amendment = services.session_note_amend(
        note=signed_note,
        author=practice.alice,
        content="Homework was 20 minutes, not 10.",
        reason="Correction",
    )
    assert list(signed_note.amendments.all()) == [amendment]
    assert SessionNote.objects.get(pk=signed_note.pk).content == "Worked on sleep hygiene."


def test_amendments_are_append_only(signed_note: SessionNote, practice) -> None:  # type: ignore[no-untyped-def]
    amendment = services.session_note_amend(note=signed_note, author=practice.alice, content="x", reason="y")
    # pgtrigger.Protect raises a ProgrammingError ("Cannot update or delete rows").
    message = _raises_lock(
        lambda: SessionNoteAmendment.objects.filter(pk=amendment.pk).update(content="z"),
        DatabaseError,
    )
    assert "Cannot update or delete" in message
    _raises_lock(lambda: SessionNoteAmendment.objects.filter(pk=amendment.pk).delete(), DatabaseError)
    assert SessionNoteAmendment.objects.get(pk=amendment.pk).content == "x"


def test_a_draft_cannot_be_amended_by_the_service_or_in_the_database(practice) -> None:  # type: ignore[no-untyped-def]
    draft = SessionNoteFactory(patient=practice.alice_patient)
    with pytest.raises(ValidationError, match="Only a signed note"):
        services.session_note_amend(note=draft, author=practice.alice, content="x", reason="y")
    _raises_lock(
        lambda: SessionNoteAmendment.objects.create(note=draft, author=practice.alice, content="x", reason="y"),
    )


def test_a_draft_can_be_edited_retagged_and_deleted(practice) -> None:  # type: ignore[no-untyped-def]
    note = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 3, 1),
        content="Draft",
        tags=["a, b"],
    )
    services.session_note_update(note=note, changes={"content": "Better draft"}, tags=["b", "c"])
    note.refresh_from_db()
    assert note.content == "Better draft"
    assert sorted(note.tags.values_list("name", flat=True)) == ["b", "c"]
    services.session_note_delete(note=note)
    assert not SessionNote.objects.filter(pk=note.pk).exists()


def test_deleting_an_appointment_keeps_its_signed_note(practice) -> None:  # type: ignore[no-untyped-def]
    appointment = AppointmentFactory(patient=practice.alice_patient)
    note = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 3, 4),
        content="Held.",
        appointment=appointment,
    )
    services.session_note_sign(note=note, signed_by=practice.alice)
    Appointment.objects.filter(pk=appointment.pk).delete()
    note.refresh_from_db()
    assert note.appointment_id is None
    assert note.content == "Held."


def test_a_template_cannot_be_signed(practice) -> None:  # type: ignore[no-untyped-def]
    template = SessionNoteFactory(patient=practice.alice_patient, is_template=True, template_name="Intake")
    with pytest.raises(ValidationError) as error:
        services.session_note_sign(note=template, signed_by=UserFactory())
    assert "is_template" in error.value.message_dict
