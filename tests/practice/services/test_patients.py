"""practice.services.patients and the therapist records: patients are archived, never deleted; licences
expiring within 60 days are listed."""

from __future__ import annotations

from datetime import date, timedelta

from practice import selectors, services
from practice.models import FinancialRecord
from tests.practice.factories import SessionNoteFactory, TherapistFactory


def test_licenses_expiring_within_60_days_are_listed(db: None) -> None:
    today = date(2030, 1, 1)
    soon = TherapistFactory(license_expiry=today + timedelta(days=59))
    expired = TherapistFactory(license_expiry=today - timedelta(days=1))
    TherapistFactory(license_expiry=today + timedelta(days=61))
    TherapistFactory(license_expiry=None)
    rows = [(t.pk, t.days_until_expiry) for t in selectors.licenses_expiring(today=today)]
    assert rows == [(expired.pk, -1), (soon.pk, 59)]
    assert soon.license_expires_within(60, today=today)


def test_patients_are_archived_not_deleted(practice) -> None:  # type: ignore[no-untyped-def]
    SessionNoteFactory(patient=practice.alice_patient)
    archived = services.patient_archive(patient=practice.alice_patient)
    assert archived.status == "Inactive"
    assert archived.archived_at is not None
    assert FinancialRecord.objects.count() == 0
