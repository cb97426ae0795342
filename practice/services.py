"""Every write of the practice domain.

Each service is keyword-only, validates with ``full_clean()`` (constraint errors keyed to the field they are
about), runs in one transaction, locks the row it reads before changing it, and records the acting user in
the pghistory context. Bad input raises ``ValidationError``; a race that slips past validation and hits a
database constraint is translated into the same ``ValidationError`` instead of leaking an ``IntegrityError``.

Two subclasses say more (the admin still shows them as form errors; the API answers 409 instead of 400):
``Conflict`` for valid input that clashes with other rows (an overlapping booking) and ``InvalidTransition``
for a workflow step the object's state does not allow (editing a signed note, cancelling a cancelled
appointment, paying a voided bill).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pghistory
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from practice.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    FinancialRecord,
    FinancialRecordType,
    MoodEntry,
    NoteTag,
    Patient,
    PatientStatus,
    PaymentMethod,
    PaymentStatus,
    ProgressArea,
    ProgressEntry,
    SessionKind,
    SessionNote,
    SessionNoteAmendment,
    SessionType,
    Tag,
    Therapist,
)
from practice.models.choices import canonical
from sanctuary.errors import Conflict, InvalidTransition

DEFAULT_SESSION_MINUTES = 50

# Constraints that involve several columns: the field a form should show the error on.
CONSTRAINT_FIELDS: dict[str, str] = {
    "practice_patient_email_per_therapist_ci_unique": "email",
    "practice_patient_archived_not_active": "status",
    "practice_appointment_end_after_start": "scheduled_end",
    "practice_appointment_actual_end_after_actual_start": "actual_end",
    "practice_appointment_no_overlap": "scheduled_start",
    "practice_sessionnote_risk_assessed_at_with_level": "risk_assessed_at",
    "practice_sessionnote_elevated_risk_has_safety_plan": "safety_plan",
    "practice_sessionnote_template_named": "template_name",
    "practice_sessionnote_signed_by_with_signed_at": "signed_at",
    "practice_sessionnote_template_not_signed": "is_template",
    "practice_notetag_note_tag_unique": "tag",
    "practice_financialrecord_discount_within_amount": "discount_applied",
    "practice_financialrecord_coverage_or_copay": "copay_amount",
    "practice_financialrecord_paid_has_paid_date": "paid_date",
    "practice_financialrecord_due_on_or_after_record": "due_date",
    "practice_financialrecord_invoice_per_therapist_unique": "invoice_number",
}

# Constraints whose violation means "clashes with another row", not "bad input": raised as ``Conflict``
# when they are the only thing wrong.
CONFLICT_CONSTRAINTS = frozenset({"practice_appointment_no_overlap"})


# --- plumbing ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _acting(actor: User | None) -> Iterator[None]:
    """One transaction, with the acting user on every history row it writes (inside a request the
    middleware has already attached the user and URL; commands and jobs get it from here)."""
    with transaction.atomic():
        if actor is None:
            yield
        else:
            with pghistory.context(user=actor.pk):
                yield


def _constraint_field(model: type[models.Model], constraint: models.BaseConstraint) -> str:
    if constraint.name in CONSTRAINT_FIELDS:
        return CONSTRAINT_FIELDS[constraint.name]
    fields: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Q):
            for child in node.children:
                walk(child)
        elif isinstance(node, tuple):
            fields.add(node[0].split("__")[0])
            walk(node[1])
        elif isinstance(node, models.F):
            fields.add(node.name.split("__")[0])  # type: ignore[attr-defined]  # F.name is untyped in the stubs

    condition = getattr(constraint, "condition", None)
    if condition is not None:
        walk(condition)
    for field_name in getattr(constraint, "fields", ()):
        fields.add(field_name)
    return fields.pop() if len(fields) == 1 else NON_FIELD_ERRORS


def validate(instance: models.Model) -> None:
    """``full_clean()`` with every constraint error keyed to the field it concerns. Clashes with other rows
    (``CONFLICT_CONSTRAINTS``) are checked only once the input itself is valid, and raised as ``Conflict``."""
    errors: dict[str, list[str]] = {}
    clashes_only = True
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
        clashes_only = False
    model = type(instance)
    for constraint in model._meta.constraints:
        if constraint.name in CONFLICT_CONSTRAINTS and errors:
            # Clashes are only meaningful for valid input (a reversed time range cannot be compared at all).
            continue
        try:
            constraint.validate(model, instance)
        except ValidationError as error:
            clashes_only = clashes_only and constraint.name in CONFLICT_CONSTRAINTS
            errors.setdefault(_constraint_field(model, constraint), []).extend(error.messages)
    if errors:
        raise (Conflict if clashes_only else ValidationError)(errors)


def _integrity_error(model: type[models.Model], error: IntegrityError) -> ValidationError:
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            message = constraint.get_violation_error_message()
            error_class = Conflict if constraint.name in CONFLICT_CONSTRAINTS else ValidationError
            return error_class({_constraint_field(model, constraint): [message]})
    return ValidationError({NON_FIELD_ERRORS: [f"The change conflicts with existing data ({name or 'integrity'})."]})


def _save[M: models.Model](instance: M, *, update_fields: Iterable[str] | None = None) -> M:
    validate(instance)
    try:
        # A savepoint, so a constraint that only fires at INSERT time (a concurrent booking) leaves the
        # surrounding transaction usable.
        with transaction.atomic():
            if update_fields is None:
                instance.save()
            else:
                instance.save(update_fields=[*update_fields, "updated_at"])
    except IntegrityError as error:
        raise _integrity_error(type(instance), error) from error
    return instance


def _apply(instance: models.Model, changes: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _locked[M: models.Model](model: type[M], pk: Any) -> M:
    """Re-read the row under a lock that still lets other transactions insert rows referencing it."""
    return model._default_manager.select_for_update(no_key=True).get(pk=pk)


def _require_same_therapist(therapist: Therapist, patient: Patient) -> None:
    if patient.therapist_id != therapist.pk:
        raise ValidationError({"patient": ["This patient is not under this therapist's care."]})


# --- therapists and patients --------------------------------------------------------------------------------

def therapist_link_user(*, therapist: Therapist, user: User | None) -> Therapist:
    with transaction.atomic():
        therapist = _locked(Therapist, therapist.pk)
        therapist.user = user  # type: ignore[assignment]
        return _save(therapist, update_fields=["user"])


PATIENT_FIELDS = frozenset({
    "first_name", "last_name", "email", "phone", "date_of_birth", "emergency_contact_name",
    "emergency_contact_phone", "avatar_url", "preferred_session_type", "status", "notes",
})


def patient_create(
    *,
    therapist: Therapist,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    date_of_birth: date | None = None,
    emergency_contact_name: str = "",
    emergency_contact_phone: str = "",
    avatar_url: str = "",
    preferred_session_type: str = SessionKind.INDIVIDUAL,
    notes: str = "",
    actor: User | None = None,
) -> Patient:
    patient = Patient(
        therapist=therapist, first_name=first_name.strip(), last_name=last_name.strip(), email=email.strip(),
        phone=phone, date_of_birth=date_of_birth, emergency_contact_name=emergency_contact_name,
        emergency_contact_phone=emergency_contact_phone, avatar_url=avatar_url,
        preferred_session_type=canonical(SessionKind, preferred_session_type), notes=notes,
    )
    with _acting(actor):
        return _save(patient)


def patient_update(*, patient: Patient, changes: Mapping[str, Any], actor: User | None = None) -> Patient:
    with _acting(actor):
        patient = _locked(Patient, patient.pk)
        changed = _apply(patient, changes, PATIENT_FIELDS)
        if patient.status == PatientStatus.ACTIVE:
            patient.archived_at = None
            changed.append("archived_at")
        return _save(patient, update_fields=changed) if changed else patient


def patient_archive(*, patient: Patient, actor: User | None = None) -> Patient:
    """Patients are archived, never deleted: their notes and bills are clinical and financial records."""
    with _acting(actor):
        patient = _locked(Patient, patient.pk)
        if patient.archived_at is not None:
            return patient
        if patient.status == PatientStatus.ACTIVE:
            patient.status = PatientStatus.INACTIVE
        patient.archived_at = timezone.now()
        return _save(patient, update_fields=["status", "archived_at"])


def patient_link_user(
    *, patient: Patient, user: User | None, actor: User | None = None,
) -> Patient:
    with _acting(actor):
        patient = _locked(Patient, patient.pk)
        patient.user = user  # type: ignore[assignment]
        return _save(patient, update_fields=["user"])


# --- appointments -------------------------------------------------------------------------------------------

def _default_end(start: datetime, session_type: SessionType | None) -> datetime:
    minutes = session_type.default_duration_minutes if session_type else DEFAULT_SESSION_MINUTES
    return start + timedelta(minutes=minutes)


def appointment_book(
    *,
    therapist: Therapist,
    patient: Patient,
    scheduled_start: datetime,
    scheduled_end: datetime | None = None,
    session_type: SessionType | None = None,
    appointment_type: str = AppointmentType.IN_PERSON,
    meeting_url: str = "",
    location: str = "",
    preparation_notes: str = "",
    private_notes: str = "",
    actor: User | None = None,
) -> Appointment:
    """Book a session; the end defaults to the session type's duration. Overlaps with the therapist's live
    appointments are rejected (and the exclusion constraint settles concurrent bookings)."""
    _require_same_therapist(therapist, patient)
    appointment = Appointment(
        therapist=therapist, patient=patient, session_type=session_type, scheduled_start=scheduled_start,
        scheduled_end=scheduled_end or _default_end(scheduled_start, session_type),
        appointment_type=canonical(AppointmentType, appointment_type), meeting_url=meeting_url,
        location=location, preparation_notes=preparation_notes, private_notes=private_notes,
        status=AppointmentStatus.SCHEDULED,
    )
    with _acting(actor):
        return _save(appointment)


def _locked_scheduled(appointment: Appointment, verb: str) -> Appointment:
    appointment = _locked(Appointment, appointment.pk)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise InvalidTransition(
            {"status": [f"Only a scheduled appointment can be {verb}; this one is {appointment.get_status_display()}."]}
        )
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    scheduled_start: datetime,
    scheduled_end: datetime | None = None,
    actor: User | None = None,
) -> Appointment:
    """Move a scheduled appointment; without a new end the length is kept."""
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "rescheduled")
        length = appointment.scheduled_end - appointment.scheduled_start
        appointment.scheduled_start = scheduled_start
        appointment.scheduled_end = scheduled_end or scheduled_start + length
        return _save(appointment, update_fields=["scheduled_start", "scheduled_end"])


def appointment_cancel(*, appointment: Appointment, reason: str, actor: User | None = None) -> Appointment:
    if not reason.strip():
        raise ValidationError({"cancellation_reason": ["Say why the appointment is cancelled."]})
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "cancelled")
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancellation_reason = reason.strip()
        return _save(appointment, update_fields=["status", "cancellation_reason"])


# The patient's own words are kept, marked as theirs, so the therapist sees who cancelled and why.
PATIENT_CANCELLATION_PREFIX = "Cancelled by the patient: "


def appointment_request_cancellation(
    *,
    appointment: Appointment,
    patient: Patient,
    reason: str,
    now: datetime | None = None,
    actor: User | None = None,
) -> Appointment:
    """A patient cancels one of their own *upcoming, scheduled* appointments from the portal.

    Chosen over a "request" the therapist must approve: the appointment is cancelled at once (it frees the
    slot and needs no new table), with the patient's reason recorded as ``cancellation_reason``. Anything
    that has started, lies in the past or is no longer scheduled is the therapist's to settle: 409.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why you are cancelling."]})
    if appointment.patient_id != patient.pk:
        raise ValidationError({"appointment": ["This appointment belongs to another patient."]})
    now = now or timezone.now()
    with _acting(actor):
        appointment = _locked(Appointment, appointment.pk)
        if appointment.status != AppointmentStatus.SCHEDULED:
            raise InvalidTransition(
                {"status": [f"Only a scheduled appointment can be cancelled; this one is "
                            f"{appointment.get_status_display()}."]}
            )
        if appointment.scheduled_start <= now:
            raise InvalidTransition(
                {"scheduled_start": ["This appointment has already started; please contact your therapist."]}
            )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancellation_reason = f"{PATIENT_CANCELLATION_PREFIX}{reason}"
        return _save(appointment, update_fields=["status", "cancellation_reason"])


def appointment_complete(
    *,
    appointment: Appointment,
    actual_start: datetime | None = None,
    actual_end: datetime | None = None,
    actor: User | None = None,
) -> Appointment:
    """Mark a session as held; the actual times feed duration monitoring (G9)."""
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "completed")
        appointment.status = AppointmentStatus.COMPLETED
        appointment.actual_start = actual_start
        appointment.actual_end = actual_end
        return _save(appointment, update_fields=["status", "actual_start", "actual_end"])


def appointment_mark_no_show(*, appointment: Appointment, actor: User | None = None) -> Appointment:
    with _acting(actor):
        appointment = _locked_scheduled(appointment, "marked as a no-show")
        appointment.status = AppointmentStatus.NO_SHOW
        return _save(appointment, update_fields=["status"])


APPOINTMENT_DETAIL_FIELDS = frozenset({
    "session_type", "appointment_type", "meeting_url", "location", "preparation_notes", "private_notes",
})


def appointment_update_details(
    *, appointment: Appointment, changes: Mapping[str, Any], actor: User | None = None,
) -> Appointment:
    """Edit the non-scheduling details (times and status have their own services)."""
    with _acting(actor):
        appointment = _locked(Appointment, appointment.pk)
        changed = _apply(appointment, changes, APPOINTMENT_DETAIL_FIELDS)
        return _save(appointment, update_fields=changed) if changed else appointment


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
        therapist=therapist, patient=patient, appointment=appointment, session_date=session_date,
        content=content, mood_rating=mood_rating, session_goals=session_goals,
        homework_assigned=homework_assigned, next_session_focus=next_session_focus, is_private=is_private,
        suicide_risk_level=suicide_risk_level, crisis_indicators=list(crisis_indicators),
        safety_plan=safety_plan, risk_assessed_at=risk_assessed_at, is_template=is_template,
        template_name=template_name,
    )
    with _acting(actor):
        _save(note)
        _set_tags(note, tags)
    return note


NOTE_FIELDS = frozenset({
    "session_date", "content", "mood_rating", "appointment", "session_goals", "homework_assigned",
    "next_session_focus", "is_private", "suicide_risk_level", "crisis_indicators", "safety_plan",
    "risk_assessed_at", "is_template", "template_name",
})


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
    *, note: SessionNote, author: User, content: str, reason: str,
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
        patient=patient, therapist_id=patient.therapist_id, session_note=session_note, entry_date=entry_date,
        mood_rating=mood_rating, notes=notes, energy_level=energy_level, anxiety_level=anxiety_level,
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
        patient=patient, therapist_id=patient.therapist_id, progress_area=progress_area,
        session_note=session_note, entry_date=entry_date, score=score, baseline_score=baseline_score,
        target_score=target_score, notes=notes,
    )
    with _acting(actor):
        return _save(entry)


# --- billing ------------------------------------------------------------------------------------------------

OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.OVERDUE)


def financial_record_create(
    *,
    therapist: Therapist,
    patient: Patient,
    amount: Decimal,
    record_type: str,
    record_date: date,
    due_date: date | None = None,
    appointment: Appointment | None = None,
    session_type: str = "",
    description: str = "",
    invoice_number: str = "",
    discount_applied: Decimal = Decimal("0.00"),
    insurer_name: str = "",
    insurance_policy_number: str = "",
    insurance_claim_id: str = "",
    insurance_claim_status: str = "",
    coverage_percent: Decimal | None = None,
    copay_amount: Decimal | None = None,
    notes: str = "",
    actor: User | None = None,
) -> FinancialRecord:
    _require_same_therapist(therapist, patient)
    if appointment is not None and appointment.patient_id != patient.pk:
        raise ValidationError({"appointment": ["This appointment belongs to another patient."]})
    record = FinancialRecord(
        therapist=therapist, patient=patient, appointment=appointment, amount=amount,
        record_type=canonical(FinancialRecordType, record_type), record_date=record_date, due_date=due_date,
        session_type=canonical(SessionKind, session_type) if session_type else "", description=description,
        invoice_number=invoice_number.strip(), discount_applied=discount_applied, insurer_name=insurer_name,
        insurance_policy_number=insurance_policy_number, insurance_claim_id=insurance_claim_id,
        insurance_claim_status=insurance_claim_status, coverage_percent=coverage_percent,
        copay_amount=copay_amount, notes=notes, status=PaymentStatus.PENDING,
    )
    with _acting(actor):
        _save(record)
    # Reload: insurer_amount and patient_responsibility are computed by PostgreSQL.
    record.refresh_from_db(fields=["insurer_amount", "patient_responsibility"])
    return record


def _locked_open(record: FinancialRecord, verb: str) -> FinancialRecord:
    record = _locked(FinancialRecord, record.pk)
    if record.status not in OPEN_STATUSES:
        current = record.get_status_display()
        raise InvalidTransition({"status": [f"Only an open bill can be {verb}; this one is {current}."]})
    return record


def financial_record_pay(
    *,
    record: FinancialRecord,
    paid_date: date,
    payment_method: str,
    transaction_date: date | None = None,
    actor: User | None = None,
) -> FinancialRecord:
    with _acting(actor):
        record = _locked_open(record, "paid")
        record.status = PaymentStatus.PAID
        record.paid_date = paid_date
        record.payment_method = canonical(PaymentMethod, payment_method)
        record.transaction_date = transaction_date or paid_date
        return _save(record, update_fields=["status", "paid_date", "payment_method", "transaction_date"])


def financial_record_void(
    *, record: FinancialRecord, reason: str, actor: User | None = None,
) -> FinancialRecord:
    """Cancel an unpaid bill (a paid one is refunded, not voided). The row stays for the audit trail."""
    if not reason.strip():
        raise ValidationError({"void_reason": ["Say why the bill is voided."]})
    with _acting(actor):
        record = _locked_open(record, "voided")
        record.status = PaymentStatus.CANCELLED
        record.void_reason = reason.strip()
        return _save(record, update_fields=["status", "void_reason"])


def financial_record_assess_late_fee(
    *, record: FinancialRecord, fee: Decimal, today: date, actor: User | None = None,
) -> FinancialRecord:
    """G5: charge a late fee on a bill that is past due; the bill becomes (and stays) overdue."""
    with _acting(actor):
        record = _locked_open(record, "charged a late fee")
        past_due = record.status == PaymentStatus.OVERDUE or (record.due_date is not None and record.due_date < today)
        if not past_due:
            raise ValidationError({"late_fee": ["The bill is not past its due date."]})
        record.late_fee = fee
        record.status = PaymentStatus.OVERDUE
        _save(record, update_fields=["late_fee", "status"])
    record.refresh_from_db(fields=["patient_responsibility"])
    return record


def financial_records_mark_overdue(*, today: date, therapist: Therapist | None = None) -> int:
    """Flip pending bills past their due date to ``overdue`` in one UPDATE (a periodic job; the selectors
    already treat such bills as overdue, this keeps the stored status honest for exports)."""
    records = FinancialRecord.objects.filter(status=PaymentStatus.PENDING, due_date__lt=today)
    if therapist is not None:
        records = records.filter(therapist=therapist)
    with transaction.atomic():
        return records.update(status=PaymentStatus.OVERDUE, updated_at=timezone.now())
