"""G2 session count / last / next session and G3 tag usage stay correct through inserts, deletes and status
changes (they are computed at read time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from practice import selectors, services
from tests.practice.factories import AppointmentFactory, SessionNoteFactory

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def _stats(practice):  # type: ignore[no-untyped-def]
    patient = selectors.patients_with_session_stats(therapist=practice.alice_therapist, now=NOW).get(
        pk=practice.alice_patient.pk,
    )
    return patient.total_sessions, patient.last_session_date, patient.next_session_at


def test_a_patient_without_sessions_has_zero_and_no_dates(practice) -> None:  # type: ignore[no-untyped-def]
    assert _stats(practice) == (0, None, None)


def test_notes_inserted_and_deleted_move_the_count_and_last_session(practice) -> None:  # type: ignore[no-untyped-def]
    first = SessionNoteFactory(patient=practice.alice_patient, session_date=date(2030, 2, 1))
    second = SessionNoteFactory(patient=practice.alice_patient, session_date=date(2030, 2, 15))
    SessionNoteFactory(
        patient=practice.alice_patient,
        session_date=date(2030, 2, 20),
        is_template=True,
        template_name="T",
    )
    assert _stats(practice)[:2] == (2, date(2030, 2, 15))
    services.session_note_delete(note=second)
    assert _stats(practice)[:2] == (1, date(2030, 2, 1))
    services.session_note_delete(note=first)
    assert _stats(practice)[:2] == (0, None)


def test_next_session_follows_appointment_status_changes(practice) -> None:  # type: ignore[no-untyped-def]
    soon = AppointmentFactory(
        patient=practice.alice_patient,
        scheduled_start=NOW + timedelta(days=1),
        scheduled_end=NOW + timedelta(days=1, minutes=50),
    )
    later = AppointmentFactory(
        patient=practice.alice_patient,
        scheduled_start=NOW + timedelta(days=8),
        scheduled_end=NOW + timedelta(days=8, minutes=50),
    )
    AppointmentFactory(
        patient=practice.alice_patient,
        scheduled_start=NOW - timedelta(days=1),
        scheduled_end=NOW - timedelta(days=1) + timedelta(minutes=50),
    )
    assert _stats(practice)[2] == soon.scheduled_start
    services.appointment_cancel(appointment=soon, reason="Unwell")
    assert _stats(practice)[2] == later.scheduled_start
    services.appointment_complete(appointment=later, now=later.scheduled_end)
    assert _stats(practice)[2] is None


def test_an_appointment_deleted_is_no_longer_the_next_session(practice) -> None:  # type: ignore[no-untyped-def]
    soon = AppointmentFactory(
        patient=practice.alice_patient,
        scheduled_start=NOW + timedelta(days=1),
        scheduled_end=NOW + timedelta(days=1, minutes=50),
    )
    assert _stats(practice)[2] == soon.scheduled_start
    soon.delete()
    assert _stats(practice)[2] is None


def _usage(practice) -> dict[str, tuple[int, date | None]]:  # type: ignore[no-untyped-def]
    return {t.name: (t.usage_count, t.last_used) for t in selectors.tag_usage(therapist=practice.alice_therapist)}


def test_tag_usage_counts_and_last_use_follow_notes(practice) -> None:  # type: ignore[no-untyped-def]
    kwargs = {"therapist": practice.alice_therapist, "patient": practice.alice_patient}
    one = services.session_note_create(session_date=date(2030, 2, 1), content="a", tags=["anxiety", "work"], **kwargs)
    services.session_note_create(session_date=date(2030, 2, 8), content="b", tags=["Anxiety"], **kwargs)
    assert _usage(practice) == {"anxiety": (2, date(2030, 2, 8)), "work": (1, date(2030, 2, 1))}
    services.session_note_update(note=one, changes={}, tags=["anxiety"])
    assert _usage(practice)["work"] == (0, None)
    services.session_note_delete(note=one)
    assert _usage(practice)["anxiety"] == (1, date(2030, 2, 8))


def test_tag_usage_only_counts_the_therapists_own_notes(practice) -> None:  # type: ignore[no-untyped-def]
    services.session_note_create(
        therapist=practice.bob_therapist,
        patient=practice.bob_patient,
        session_date=date(2030, 2, 1),
        content="b",
        tags=["grief"],
    )
    assert _usage(practice) == {"grief": (0, None)}


def test_the_demo_tags_are_each_used_and_anxiety_twice(demo) -> None:  # type: ignore[no-untyped-def]
    usage = {t.name: t.usage_count for t in selectors.tag_usage(therapist=demo)}
    assert len(usage) == 11
    assert usage["anxiety"] == 2
    assert sum(usage.values()) == 12
