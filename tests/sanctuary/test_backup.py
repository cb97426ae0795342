"""``manage.py backup`` and ``manage.py restore``: a round trip keeps every row, every trigger and the lock
on a signed note; a restore over the live database needs ``--yes``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from practice import services
from practice.models import Patient, SessionNote
from tests.practice.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.slow

TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""
TRIGGERS = """
    SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal ORDER BY 1, 2
"""


def _params(dbname: str | None = None) -> dict[str, Any]:
    """The owner's connection parameters (what migrations and the backup commands use)."""
    params = {
        k: v
        for k, v in connection.owner_connection_params().items()
        if k in ("dbname", "user", "password", "host", "port")
    }
    if dbname:
        params["dbname"] = dbname
    return params


def _snapshot(dbname: str | None = None) -> dict[str, Any]:
    with psycopg.connect(**_params(dbname), autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(TABLES)]
        counts = {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]  # type: ignore[index]
            for table in tables
        }
        return {"counts": counts, "triggers": conn.execute(TRIGGERS).fetchall()}


def _signed_note_is_locked(dbname: str | None = None) -> bool:
    with psycopg.connect(**_params(dbname)) as conn:
        try:
            conn.execute("UPDATE practice_sessionnote SET content = 'changed' WHERE signed_at IS NOT NULL")
        except psycopg.errors.RestrictViolation as error:
            return "signed and locked" in str(error)
        return False


@pytest.fixture
def practice_rows(transactional_db: None) -> SessionNote:
    therapist = TherapistFactory()
    patient = PatientFactory(therapist=therapist)
    note = services.session_note_create(
        therapist=therapist, patient=patient, session_date=date(2030, 1, 2), content="Worked on sleep.", tags=["sleep"]
    )
    services.mood_entry_record(patient=patient, entry_date=date(2030, 1, 2), mood_rating=6)
    return services.session_note_sign(note=note, signed_by=therapist.user)


@pytest.fixture
def other_database() -> Iterator[str]:
    name = f"sanctuary_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**_params("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(**_params("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_backup_restored_elsewhere_has_every_row_trigger_and_the_note_lock(
    practice_rows: SessionNote, other_database: str, tmp_path: Path
) -> None:
    archive = tmp_path / "sanctuary.dump"
    call_command("backup", str(archive))
    assert archive.stat().st_size > 0
    call_command("restore", str(archive), into=other_database)

    before, after = _snapshot(), _snapshot(other_database)
    assert after["counts"] == before["counts"]
    assert after["counts"]["practice_sessionnote"] == 1
    assert after["triggers"] == before["triggers"] and len(after["triggers"]) > 20
    assert _signed_note_is_locked(other_database)


def test_restoring_over_the_live_database_needs_yes_and_brings_back_what_was_lost(
    practice_rows: SessionNote, tmp_path: Path
) -> None:
    archive = tmp_path / "sanctuary.dump"
    call_command("backup", str(archive))
    before = _snapshot()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))

    Patient.objects.create(therapist=practice_rows.therapist, first_name="After", last_name="Backup")
    call_command("restore", str(archive), yes=True)

    assert _snapshot() == before
    assert not Patient.objects.filter(first_name="After").exists()
    assert SessionNote.objects.get().signed_at == practice_rows.signed_at
    assert _signed_note_is_locked()


def test_a_missing_or_broken_archive_is_a_clear_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "none.dump"), yes=True)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="restore failed"):
        call_command("restore", str(broken), into="postgres")
