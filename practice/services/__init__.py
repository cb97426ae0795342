"""Every write of the practice domain.

Each service is keyword-only, validates with ``full_clean()`` (constraint errors keyed to the field they are
about), runs in one transaction, locks the row it reads before changing it, and records the acting user in
the pghistory context. Bad input raises ``ValidationError``; a race that slips past validation and hits a
database constraint is translated into the same ``ValidationError`` instead of leaking an ``IntegrityError``.

Two subclasses say more (the admin still shows them as form errors; the API answers 409 instead of 400):
``Conflict`` for valid input that clashes with other rows (an overlapping booking) and ``InvalidTransition``
for a workflow step the object's state does not allow (editing a signed note, cancelling a cancelled
appointment, paying a voided bill).

Split by aggregate – ``patients``, ``appointments``, ``notes`` (with mood and progress), ``billing`` – with
the shared plumbing in ``base``; everything is importable from ``practice.services``.
"""

from __future__ import annotations

from practice.services.appointments import (
    APPOINTMENT_DETAIL_FIELDS,
    EARLY_START_MINUTES,
    PATIENT_CANCELLATION_PREFIX,
    appointment_book,
    appointment_cancel,
    appointment_complete,
    appointment_mark_no_show,
    appointment_request_cancellation,
    appointment_reschedule,
    appointment_start,
    appointment_update_details,
)
from practice.services.base import (
    CONFLICT_CONSTRAINTS,
    CONSTRAINT_FIELDS,
    DEFAULT_SESSION_MINUTES,
    validate,
)
from practice.services.billing import (
    BILL_FIELDS,
    financial_record_assess_late_fee,
    financial_record_create,
    financial_record_pay,
    financial_record_update,
    financial_record_void,
    financial_records_mark_overdue,
)
from practice.services.lookups import lookup_delete, lookup_save
from practice.services.notes import (
    MOOD_FIELDS,
    NOTE_FIELDS,
    PROGRESS_FIELDS,
    mood_entry_delete,
    mood_entry_record,
    mood_entry_update,
    progress_entry_delete,
    progress_entry_record,
    progress_entry_update,
    session_note_amend,
    session_note_create,
    session_note_delete,
    session_note_sign,
    session_note_update,
)
from practice.services.patients import (
    PATIENT_FIELDS,
    THERAPIST_FIELDS,
    patient_archive,
    patient_create,
    patient_delete,
    patient_link_user,
    patient_update,
    therapist_create,
    therapist_delete,
    therapist_link_user,
    therapist_update,
)

__all__ = [
    "APPOINTMENT_DETAIL_FIELDS",
    "BILL_FIELDS",
    "CONFLICT_CONSTRAINTS",
    "CONSTRAINT_FIELDS",
    "DEFAULT_SESSION_MINUTES",
    "EARLY_START_MINUTES",
    "MOOD_FIELDS",
    "NOTE_FIELDS",
    "PATIENT_CANCELLATION_PREFIX",
    "PATIENT_FIELDS",
    "PROGRESS_FIELDS",
    "THERAPIST_FIELDS",
    "appointment_book",
    "appointment_cancel",
    "appointment_complete",
    "appointment_mark_no_show",
    "appointment_request_cancellation",
    "appointment_reschedule",
    "appointment_start",
    "appointment_update_details",
    "financial_record_assess_late_fee",
    "financial_record_create",
    "financial_record_pay",
    "financial_record_update",
    "financial_record_void",
    "financial_records_mark_overdue",
    "lookup_delete",
    "lookup_save",
    "mood_entry_delete",
    "mood_entry_record",
    "mood_entry_update",
    "patient_archive",
    "patient_create",
    "patient_delete",
    "patient_link_user",
    "patient_update",
    "progress_entry_delete",
    "progress_entry_record",
    "progress_entry_update",
    "session_note_amend",
    "session_note_create",
    "session_note_delete",
    "session_note_sign",
    "session_note_update",
    "therapist_create",
    "therapist_delete",
    "therapist_link_user",
    "therapist_update",
    "validate",
]
