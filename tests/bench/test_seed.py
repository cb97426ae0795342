"""bench/seed at a tiny scale on the test database: the set-based history is complete and exact.

The seed skips pghistory's per-row insert trigger for its own transactions and writes the same insert
events in the same statement; these tests pin that nothing is lost or doubled, and that the trigger is
back for everyone else afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from bench import seed
from practice.models import Patient, Therapist
from sanctuary import db_roles

pytestmark = pytest.mark.django_db(transaction=True)

TRACKED_TABLES = [
    "practice_therapist",
    "practice_patient",
    "practice_appointment",
    "practice_moodentry",
    "practice_financialrecord",
]


@pytest.fixture
def seeded() -> Iterator[None]:
    assert seed.main(["--scale", "0.0005", "--jobs", "2"]) == 0
    yield
    with db_roles.as_owner(), connection.cursor() as cursor:  # the seed's table is the owner's, like the schema
        cursor.execute("DROP TABLE IF EXISTS bench_seed_info")


def _one(sql: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_every_seeded_row_has_exactly_one_insert_event_in_the_seed_context(seeded: None) -> None:
    context = _one("SELECT id FROM pghistory_context WHERE metadata->>'command' = 'bench.seed'")
    for table in TRACKED_TABLES:
        # Table names are the constants above.
        rows = _one(f"SELECT count(*) FROM {table}")  # noqa: S608
        assert rows >= 5
        # One insert event per row, matched on the row's id, all in the seed's context.
        assert _one(f"SELECT count(*) FROM {table}event WHERE pgh_label = 'insert'") == rows, table  # noqa: S608
        assert (
            _one(
                f"SELECT count(DISTINCT e.pgh_obj_id) FROM {table}event e JOIN {table} r "  # noqa: S608
                "ON r.id = e.pgh_obj_id WHERE e.pgh_context_id = %s",
                [context],
            )
            == rows
        ), table
    # The copy is the row as stored, after BEFORE triggers (patient responsibility is computed by one).
    assert (
        _one(
            "SELECT count(*) FROM practice_financialrecordevent e JOIN practice_financialrecord r "
            "ON r.id = e.pgh_obj_id WHERE e.patient_responsibility IS DISTINCT FROM r.patient_responsibility"
        )
        == 0
    )


def test_a_second_run_at_the_same_scale_adds_nothing(seeded: None) -> None:
    before = _one("SELECT count(*) FROM practice_patientevent")
    assert seed.main(["--scale", "0.0005"]) == 0
    assert _one("SELECT count(*) FROM practice_patientevent") == before


def test_the_history_trigger_still_runs_for_other_writes_after_the_seed(seeded: None) -> None:
    therapist = Therapist.objects.filter(email="clinician1@bench.invalid").get()
    patient = Patient.objects.create(
        therapist=therapist, first_name="Tova", last_name="Ember", email="tova.ember@example.invalid"
    )
    assert (
        _one("SELECT count(*) FROM practice_patientevent WHERE pgh_obj_id = %s AND pgh_label = 'insert'", [patient.pk])
        == 1
    )
