"""Every named constraint of the practice app rejects a bad row at the database level (raw SQL or an ORM
save that skips validation), one test per constraint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from practice.models import Appointment, FinancialRecord, NoteTag, Patient, ProgressArea, SessionType, Tag, Therapist
from tests.practice.factories import (
    AppointmentFactory,
    FinancialRecordFactory,
    MoodEntryFactory,
    PatientFactory,
    ProgressAreaFactory,
    ProgressEntryFactory,
    SessionNoteFactory,
    SessionTypeFactory,
    TagFactory,
    TherapistFactory,
    UserFactory,
)


@dataclass
class World:
    ids: dict[str, Any]  # primary keys, bound into raw SQL
    objects: dict[str, Any]  # model instances of several kinds


@pytest.fixture
def world(db: None) -> World:
    user = UserFactory()
    therapist = TherapistFactory(email="owner@example.test")
    patient = PatientFactory(therapist=therapist, email="pat@example.test")
    note = SessionNoteFactory(patient=patient)
    signed = SessionNoteFactory(patient=patient, signed_at=timezone.now(), signed_by=user)
    tag = TagFactory(name="anxiety")
    NoteTag.objects.create(note=note, tag=tag)
    objects = {
        "u": user,
        "t": therapist,
        "p": patient,
        "n": note,
        "sn": signed,
        "tg": tag,
        "st": SessionTypeFactory(name="Individual"),
        "pa": ProgressAreaFactory(name="Sleep Quality"),
        "a": AppointmentFactory(patient=patient),
        "m": MoodEntryFactory(patient=patient),
        "pr": ProgressEntryFactory(patient=patient),
        "f": FinancialRecordFactory(patient=patient, invoice_number="INV-1"),
    }
    return World(ids={key: obj.pk for key, obj in objects.items()}, objects=objects)


def sql(statement: str, **values: object) -> Callable[[World], None]:
    def run(world: World) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, {**world.ids, **values})

    return run


def amendment(reason: str, content: str) -> Callable[[World], None]:
    return sql(
        "INSERT INTO practice_sessionnoteamendment (id, created_at, updated_at, note_id, author_id, reason, content)"
        " VALUES (gen_random_uuid(), now(), now(), %(sn)s, %(u)s, %(reason)s, %(content)s)",
        reason=reason,
        content=content,
    )


def overlapping_appointment(world: World) -> None:
    booked: Appointment = world.objects["a"]  # type: ignore[assignment]
    Appointment.objects.create(
        patient=booked.patient,
        therapist=booked.therapist,
        scheduled_start=booked.scheduled_start + timedelta(minutes=30),
        scheduled_end=booked.scheduled_end + timedelta(minutes=30),
    )


def same_invoice(world: World) -> None:
    FinancialRecord.objects.create(
        patient=world.objects["p"],
        therapist=world.objects["t"],
        record_date="2030-03-02",
        amount=Decimal("10.00"),
        record_type="session",
        invoice_number="INV-1",
    )


def fin(assignments: str) -> Callable[[World], None]:
    return sql(f"UPDATE practice_financialrecord SET {assignments} WHERE id = %(f)s")  # noqa: S608


def note(assignments: str) -> Callable[[World], None]:
    return sql(f"UPDATE practice_sessionnote SET {assignments} WHERE id = %(n)s")  # noqa: S608


CASES: dict[str, Callable[[World], object]] = {  # each violates the named constraint (the result is unused)
    # therapists
    "practice_therapist_email_ci_unique": lambda w: Therapist.objects.create(
        email="OWNER@example.test",
        first_name="Dup",
    ),
    "practice_therapist_profile_source_valid": sql(
        "UPDATE practice_therapist SET profile_source = 'bogus' WHERE id = %(t)s"
    ),
    "practice_therapist_directory_status_valid": sql(
        "UPDATE practice_therapist SET directory_status = 'bogus' WHERE id = %(t)s"
    ),
    "practice_therapist_session_fee_non_negative": sql(
        "UPDATE practice_therapist SET session_fee = -1 WHERE id = %(t)s"
    ),
    "practice_therapist_service_types_valid": sql(
        "UPDATE practice_therapist SET service_types = ARRAY['teleport'] WHERE id = %(t)s"
    ),
    # lookups
    "practice_sessiontype_name_ci_unique": lambda w: SessionType.objects.create(name="INDIVIDUAL"),
    "practice_sessiontype_duration_positive": sql(
        "UPDATE practice_sessiontype SET default_duration_minutes = 0 WHERE id = %(st)s"
    ),
    "practice_sessiontype_rate_non_negative": sql(
        "UPDATE practice_sessiontype SET default_rate = -1 WHERE id = %(st)s"
    ),
    "practice_progressarea_name_ci_unique": lambda w: ProgressArea.objects.create(name="sleep quality"),
    "practice_tag_name_ci_unique": lambda w: Tag.objects.create(name="ANXIETY"),
    "practice_tag_color_hex": sql("UPDATE practice_tag SET color = 'red' WHERE id = %(tg)s"),
    # patients
    "practice_patient_preferred_session_type_valid": sql(
        "UPDATE practice_patient SET preferred_session_type = 'Group' WHERE id = %(p)s"
    ),
    "practice_patient_status_valid": sql("UPDATE practice_patient SET status = 'Archived' WHERE id = %(p)s"),
    "practice_patient_email_per_therapist_ci_unique": lambda w: Patient.objects.create(
        therapist=w.objects["t"],
        first_name="Dup",
        last_name="Licate",
        email="PAT@example.test",
    ),
    "practice_patient_archived_not_active": sql(
        "UPDATE practice_patient SET archived_at = now(), status = 'Active' WHERE id = %(p)s"
    ),
    # appointments
    "practice_appointment_status_valid": sql("UPDATE practice_appointment SET status = 'postponed' WHERE id = %(a)s"),
    "practice_appointment_type_valid": sql(
        "UPDATE practice_appointment SET appointment_type = 'Phone' WHERE id = %(a)s"
    ),
    "practice_appointment_end_after_start": sql(
        "UPDATE practice_appointment SET scheduled_end = scheduled_start WHERE id = %(a)s"
    ),
    "practice_appointment_actual_end_after_actual_start": sql(
        "UPDATE practice_appointment SET actual_start = scheduled_start,"
        " actual_end = scheduled_start - interval '1 minute' WHERE id = %(a)s"
    ),
    "practice_appointment_no_overlap": overlapping_appointment,
    # session notes
    "practice_sessionnote_mood_rating_range": note("mood_rating = 11"),
    "practice_sessionnote_suicide_risk_level_valid": note("suicide_risk_level = 'extreme', risk_assessed_at = now()"),
    "practice_sessionnote_risk_assessed_at_with_level": note("suicide_risk_level = 'low'"),
    "practice_sessionnote_elevated_risk_has_safety_plan": note(
        "suicide_risk_level = 'high', risk_assessed_at = now(), safety_plan = ''"
    ),
    "practice_sessionnote_template_named": note("is_template = true, template_name = ''"),
    "practice_sessionnote_signed_by_with_signed_at": note("signed_by_id = %(u)s"),
    "practice_sessionnote_template_not_signed": note("is_template = true, template_name = 'T', signed_at = now()"),
    "practice_notetag_note_tag_unique": lambda w: NoteTag.objects.create(note=w.objects["n"], tag=w.objects["tg"]),
    "practice_sessionnoteamendment_content_required": amendment("typo", ""),
    "practice_sessionnoteamendment_reason_required": amendment("", "Corrected dose."),
    # mood and progress
    "practice_moodentry_mood_rating_range": sql("UPDATE practice_moodentry SET mood_rating = 0 WHERE id = %(m)s"),
    "practice_moodentry_energy_level_range": sql("UPDATE practice_moodentry SET energy_level = 11 WHERE id = %(m)s"),
    "practice_moodentry_anxiety_level_range": sql("UPDATE practice_moodentry SET anxiety_level = 11 WHERE id = %(m)s"),
    "practice_moodentry_sleep_quality_range": sql("UPDATE practice_moodentry SET sleep_quality = 11 WHERE id = %(m)s"),
    "practice_progressentry_score_range": sql("UPDATE practice_progressentry SET score = 11 WHERE id = %(pr)s"),
    "practice_progressentry_baseline_score_range": sql(
        "UPDATE practice_progressentry SET baseline_score = 0 WHERE id = %(pr)s"
    ),
    "practice_progressentry_target_score_range": sql(
        "UPDATE practice_progressentry SET target_score = 11 WHERE id = %(pr)s"
    ),
    # billing
    "practice_financialrecord_record_type_valid": fin("record_type = 'gift'"),
    "practice_financialrecord_status_valid": fin("status = 'lost'"),
    "practice_financialrecord_session_type_valid": fin("session_type = 'Group'"),
    "practice_financialrecord_payment_method_valid": fin("payment_method = 'bitcoin'"),
    "practice_financialrecord_claim_status_valid": fin("insurance_claim_status = 'maybe'"),
    "practice_financialrecord_amount_non_negative": fin("amount = -1"),
    "practice_financialrecord_late_fee_non_negative": fin("late_fee = -5"),
    "practice_financialrecord_discount_within_amount": fin("discount_applied = amount + 1"),
    "practice_financialrecord_coverage_percent_range": fin("coverage_percent = 101"),
    "practice_financialrecord_copay_non_negative": fin("copay_amount = -1"),
    "practice_financialrecord_coverage_or_copay": fin("coverage_percent = 50, copay_amount = 10"),
    "practice_financialrecord_paid_has_paid_date": fin("status = 'paid', paid_date = NULL"),
    "practice_financialrecord_due_on_or_after_record": fin("due_date = record_date - 1"),
    "practice_financialrecord_invoice_per_therapist_unique": same_invoice,
}


def test_every_named_constraint_of_the_practice_app_has_a_rejection_test() -> None:
    declared = {
        constraint.name
        for model in apps.get_app_config("practice").get_models()
        for constraint in model._meta.constraints
    }
    assert declared == set(CASES)
    assert all(name.startswith("practice_") for name in declared)


@pytest.mark.parametrize("constraint", sorted(CASES))
def test_the_database_rejects_a_row_breaking(constraint: str, world: World) -> None:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        CASES[constraint](world)
    assert constraint in str(error.value)


def test_the_world_rows_themselves_are_valid(world: World) -> None:
    assert Appointment.objects.count() == 1
    assert FinancialRecord.objects.get().patient_responsibility == Decimal("150.00")
