"""Session notes (draft, sign, amend, tags) and the mood and progress entries recorded with them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from practice.models import (
    Appointment,
    MoodEntry,
    NoteTag,
    Patient,
    ProgressArea,
    ProgressEntry,
    SessionNote,
    SessionNoteAmendment,
    Tag,
    Therapist,
)
from practice.services.base import (
    _acting,
    _apply,
    _locked,
    _require_same_therapist,
    _save,
    validate,
)
from sanctuary.errors import InvalidTransition

# --- session notes ------------------------------------------------------------------------------------------


def _normalise_tag_names(names: Iterable[str]) -> list[str]:
    """Like the original "comma-separated" input: trimmed, lower-case, empties and repeats dropped."""
    seen: dict[str, None] = {}
    for raw in names:
        for part in raw.split(","):
            name = part.strip().lower()
            if name:
                seen.setdefault(name, None)
    return list(seen)


def _tags_for(names: Sequence[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag(name=name)
            try:
                validate(tag)
                with transaction.atomic():
                    tag.save()
            except (ValidationError, IntegrityError):
                # Created concurrently (or just now by validate's view of it): use the existing one.
                tag = Tag.objects.filter(name__iexact=name).first()
                if tag is None:
                    raise
        tags.append(tag)
    return tags


def _set_tags(note: SessionNote, names: Sequence[str]) -> None:
    wanted = {tag.pk: tag for tag in _tags_for(_normalise_tag_names(names))}
    NoteTag.objects.filter(note=note).exclude(tag_id__in=wanted).delete()
    existing = set(NoteTag.objects.filter(note=note).values_list("tag_id", flat=True))
    NoteTag.objects.bulk_create([NoteTag(note=note, tag=tag) for pk, tag in wanted.items() if pk not in existing])


def session_note_create(
    *,
    therapist: Therapist,
    patient: Patient,
    session_date: date,
    content: str,
    tags: Sequence[str] = (),
    mood_rating: int | None = None,
    appointment: Appointment | None = None,
    session_goals: str = "",
    homework_assigned: str = "",
    next_session_focus: str = "",
    is_private: bool = False,
    suicide_risk_level: str = "",
    crisis_indicators: Sequence[str] = (),
    safety_plan: str = "",
    risk_assessed_at: datetime | None = None,
    is_template: bool = False,
    template_name: str = "",
    actor: User | None = None,
) -> SessionNote:
    _require_same_therapist(therapist, patient)
    if appointment is not None and appointment.patient_id != patient.pk:
        raise ValidationError({"appointment": ["This appointment belongs to another patient."]})
    if not content.strip():
        raise ValidationError({"content": ["A session note needs content."]})
    if suicide_risk_level and risk_assessed_at is None:
        risk_assessed_at = timezone.now()
    note = SessionNote(
        therapist=therapist,
        patient=patient,
        appointment=appointment,
        session_date=session_date,
        content=content,
        mood_rating=mood_rating,
        session_goals=session_goals,
        homework_assigned=homework_assigned,
        next_session_focus=next_session_focus,
        is_private=is_private,
        suicide_risk_level=suicide_risk_level,
        crisis_indicators=list(crisis_indicators),
        safety_plan=safety_plan,
        risk_assessed_at=risk_assessed_at,
        is_template=is_template,
        template_name=template_name,
    )
    with _acting(actor):
        _save(note)
        _set_tags(note, tags)
    return note


NOTE_FIELDS = frozenset(
    {
        "session_date",
        "content",
        "mood_rating",
        "appointment",
        "session_goals",
        "homework_assigned",
        "next_session_focus",
        "is_private",
        "suicide_risk_level",
        "crisis_indicators",
        "safety_plan",
        "risk_assessed_at",
        "is_template",
        "template_name",
    }
)


def _locked_draft(note: SessionNote) -> SessionNote:
    note = _locked(SessionNote, note.pk)
    if note.signed_at is not None:
        raise InvalidTransition({NON_FIELD_ERRORS: ["This note is signed and locked; add an amendment instead."]})
    return note


def session_note_update(
    *,
    note: SessionNote,
    changes: Mapping[str, Any],
    tags: Sequence[str] | None = None,
    actor: User | None = None,
) -> SessionNote:
    """Edit a draft (unsigned) note and optionally replace its tags."""
    with _acting(actor):
        note = _locked_draft(note)
        changed = _apply(note, changes, NOTE_FIELDS)
        if note.suicide_risk_level and note.risk_assessed_at is None:
            note.risk_assessed_at = timezone.now()
            changed.append("risk_assessed_at")
        if changed:
            _save(note, update_fields=changed)
        if tags is not None:
            _set_tags(note, tags)
    return note


def session_note_sign(*, note: SessionNote, signed_by: User) -> SessionNote:
    """Sign a note. From then on PostgreSQL refuses any change to it or its tags."""
    with _acting(signed_by):
        note = _locked_draft(note)
        if note.is_template:
            raise ValidationError({"is_template": ["A template is not a session record and cannot be signed."]})
        note.signed_at = timezone.now()
        note.signed_by = signed_by  # type: ignore[assignment]
        return _save(note, update_fields=["signed_at", "signed_by"])


def session_note_amend(
    *,
    note: SessionNote,
    author: User,
    content: str,
    reason: str,
) -> SessionNoteAmendment:
    """Append a correction or addendum to a signed note (the note itself stays as signed)."""
    with _acting(author):
        note = _locked(SessionNote, note.pk)
        if note.signed_at is None:
            raise InvalidTransition({NON_FIELD_ERRORS: ["Only a signed note is amended; edit the draft instead."]})
        amendment = SessionNoteAmendment(note=note, author=author, content=content.strip(), reason=reason.strip())
        return _save(amendment)


def session_note_delete(*, note: SessionNote, actor: User | None = None) -> None:
    """Delete a draft; a signed note is a clinical record and stays."""
    with _acting(actor):
        note = _locked_draft(note)
        note.delete()


# --- mood and progress --------------------------------------------------------------------------------------


def _require_note_of(patient: Patient, session_note: SessionNote | None) -> None:
    if session_note is not None and session_note.patient_id != patient.pk:
        raise ValidationError({"session_note": ["This session note belongs to another patient."]})


def mood_entry_record(
    *,
    patient: Patient,
    entry_date: date,
    mood_rating: int,
    notes: str = "",
    energy_level: int | None = None,
    anxiety_level: int | None = None,
    sleep_quality: int | None = None,
    session_note: SessionNote | None = None,
    actor: User | None = None,
) -> MoodEntry:
    _require_note_of(patient, session_note)
    entry = MoodEntry(
        patient=patient,
        therapist_id=patient.therapist_id,
        session_note=session_note,
        entry_date=entry_date,
        mood_rating=mood_rating,
        notes=notes,
        energy_level=energy_level,
        anxiety_level=anxiety_level,
        sleep_quality=sleep_quality,
    )
    with _acting(actor):
        return _save(entry)


def progress_entry_record(
    *,
    patient: Patient,
    entry_date: date,
    score: int,
    progress_area: ProgressArea | None = None,
    baseline_score: int | None = None,
    target_score: int | None = None,
    notes: str = "",
    session_note: SessionNote | None = None,
    actor: User | None = None,
) -> ProgressEntry:
    _require_note_of(patient, session_note)
    entry = ProgressEntry(
        patient=patient,
        therapist_id=patient.therapist_id,
        progress_area=progress_area,
        session_note=session_note,
        entry_date=entry_date,
        score=score,
        baseline_score=baseline_score,
        target_score=target_score,
        notes=notes,
    )
    with _acting(actor):
        return _save(entry)


MOOD_FIELDS = frozenset(
    {
        "entry_date",
        "mood_rating",
        "notes",
        "energy_level",
        "anxiety_level",
        "sleep_quality",
        "session_note",
    }
)
PROGRESS_FIELDS = frozenset(
    {
        "entry_date",
        "score",
        "progress_area",
        "baseline_score",
        "target_score",
        "notes",
        "session_note",
    }
)


def _tracking_update[E: (MoodEntry, ProgressEntry)](
    entry: E,
    changes: Mapping[str, Any],
    allowed: frozenset[str],
    actor: User | None,
) -> E:
    with _acting(actor):
        entry = _locked(type(entry), entry.pk)
        changed = _apply(entry, changes, allowed)
        _require_note_of(entry.patient, entry.session_note)
        return _save(entry, update_fields=changed) if changed else entry


def mood_entry_update(*, entry: MoodEntry, changes: Mapping[str, Any], actor: User | None = None) -> MoodEntry:
    """Correct a mood entry (the patient stays; history keeps what it said before)."""
    return _tracking_update(entry, changes, MOOD_FIELDS, actor)


def progress_entry_update(
    *,
    entry: ProgressEntry,
    changes: Mapping[str, Any],
    actor: User | None = None,
) -> ProgressEntry:
    return _tracking_update(entry, changes, PROGRESS_FIELDS, actor)


def mood_entry_delete(*, entry: MoodEntry, actor: User | None = None) -> None:
    with _acting(actor):
        _locked(MoodEntry, entry.pk).delete()


def progress_entry_delete(*, entry: ProgressEntry, actor: User | None = None) -> None:
    with _acting(actor):
        _locked(ProgressEntry, entry.pk).delete()
