"""Therapists and patients: create, update, archive or delete, link a login."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from practice.models import (
    Patient,
    PatientStatus,
    SessionKind,
    Therapist,
)
from practice.models.choices import canonical
from practice.services.base import (
    _acting,
    _apply,
    _delete,
    _locked,
    _save,
)

# --- therapists and patients --------------------------------------------------------------------------------

# A therapist's own profile: everything but the login link, which has its own service.
THERAPIST_FIELDS = frozenset(
    f.name
    for f in Therapist._meta.concrete_fields
    if f.editable and not f.primary_key and f.name not in ("user", "created_at", "updated_at")
)


def therapist_create(*, fields: Mapping[str, Any], actor: User | None = None) -> Therapist:
    """A therapist record (a clinician, or a directory listing added by hand)."""
    therapist = Therapist()
    _apply(therapist, fields, THERAPIST_FIELDS)
    therapist.email = therapist.email.strip()
    with _acting(actor):
        return _save(therapist)


def therapist_update(*, therapist: Therapist, changes: Mapping[str, Any], actor: User | None = None) -> Therapist:
    with _acting(actor):
        therapist = _locked(Therapist, therapist.pk)
        changed = _apply(therapist, changes, THERAPIST_FIELDS)
        return _save(therapist, update_fields=changed) if changed else therapist


def therapist_delete(*, therapist: Therapist, actor: User | None = None) -> None:
    with _acting(actor):
        _delete(_locked(Therapist, therapist.pk), "therapist", instead="; make the therapist inactive instead")


def therapist_link_user(*, therapist: Therapist, user: User | None) -> Therapist:
    with transaction.atomic():
        therapist = _locked(Therapist, therapist.pk)
        therapist.user = user  # type: ignore[assignment]
        return _save(therapist, update_fields=["user"])


PATIENT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "emergency_contact_name",
        "emergency_contact_phone",
        "avatar_url",
        "preferred_session_type",
        "status",
        "notes",
    }
)


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
        therapist=therapist,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        phone=phone,
        date_of_birth=date_of_birth,
        emergency_contact_name=emergency_contact_name,
        emergency_contact_phone=emergency_contact_phone,
        avatar_url=avatar_url,
        preferred_session_type=canonical(SessionKind, preferred_session_type),
        notes=notes,
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


def patient_delete(*, patient: Patient, actor: User | None = None) -> None:
    """For a patient entered by mistake: one with notes or bills is archived instead (history keeps the row)."""
    with _acting(actor):
        _delete(_locked(Patient, patient.pk), "patient", instead="; archive the patient instead")


def patient_link_user(
    *,
    patient: Patient,
    user: User | None,
    actor: User | None = None,
) -> Patient:
    with _acting(actor):
        patient = _locked(Patient, patient.pk)
        patient.user = user  # type: ignore[assignment]
        return _save(patient, update_fields=["user"])
