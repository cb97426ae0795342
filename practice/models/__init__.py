"""Practice domain models, split by aggregate and re-exported here."""

from practice.models.appointments import Appointment
from practice.models.choices import (
    OPEN_PAYMENT_STATUSES,
    AppointmentStatus,
    AppointmentType,
    FinancialRecordType,
    InsuranceClaimStatus,
    PatientStatus,
    PaymentMethod,
    PaymentStatus,
    RiskLevel,
    SessionKind,
)
from practice.models.finance import FinancialRecord
from practice.models.lookups import ProgressArea, SessionType, Tag
from practice.models.notes import NoteTag, SessionNote, SessionNoteAmendment
from practice.models.patients import Patient
from practice.models.therapists import Therapist
from practice.models.tracking import MoodEntry, ProgressEntry

__all__ = [
    "OPEN_PAYMENT_STATUSES",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "FinancialRecord",
    "FinancialRecordType",
    "InsuranceClaimStatus",
    "MoodEntry",
    "NoteTag",
    "Patient",
    "PatientStatus",
    "PaymentMethod",
    "PaymentStatus",
    "ProgressArea",
    "ProgressEntry",
    "RiskLevel",
    "SessionKind",
    "SessionNote",
    "SessionNoteAmendment",
    "SessionType",
    "Tag",
    "Therapist",
]
