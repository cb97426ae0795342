"""G1: fuzzy patient-name search, served by the trigram GIN index."""

from __future__ import annotations

from django.db import connection

from practice import selectors
from practice.models import Patient
from tests.practice.factories import PatientFactory, TherapistFactory


def _names(queryset) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.full_name for p in queryset]


def test_it_finds_substrings_case_insensitively_and_near_misses(practice) -> None:  # type: ignore[no-untyped-def]
    PatientFactory(therapist=practice.alice_therapist, first_name="Amelia", last_name="Chen")
    PatientFactory(therapist=practice.alice_therapist, first_name="Benjamin", last_name="Carter")
    mine = Patient.objects.filter(therapist=practice.alice_therapist)
    assert _names(selectors.patient_search(patients=mine, query="MELIA")) == ["Amelia Chen"]
    assert _names(selectors.patient_search(patients=mine, query="benjamen carter")) == ["Benjamin Carter"]
    assert _names(selectors.patient_search(patients=mine, query="100%_")) == []


def test_the_search_uses_the_trigram_gin_index(db: None) -> None:
    """Both predicates (ILIKE substring and word similarity) are answered from the GIN index. On a few
    thousand rows the planner may still prefer a sequential scan, so it is switched off for this
    transaction: what is tested is that the query's expression matches the index's expression."""
    therapist = TherapistFactory()
    Patient.objects.bulk_create(
        Patient(therapist=therapist, first_name=f"Given{i:05d}", last_name=f"Family{i * 7919 % 10007:05d}")
        for i in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE practice_patient")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = selectors.patient_search(patients=Patient.objects.all(), query="Family01234").explain()
    assert "Bitmap Index Scan on practice_patient_name_trgm" in plan, plan
    assert "~~*" in plan and "%>" in plan
    assert "Seq Scan" not in plan
