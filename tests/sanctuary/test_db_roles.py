"""The app's connection is a least-privilege runtime role: no SQL it can send switches a guard off, skips a
history event or empties a table (sanctuary/db_roles.py). On both database paths: the embedded server and
``DATABASE_URL``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pghistory.models
import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from practice import services
from practice.models import Patient, SessionNote
from sanctuary import db_roles
from tests.practice.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def _refused(statement: str, params: list[object] | None = None) -> str:
    """Run ``statement`` as the app; return PostgreSQL's refusal (and fail the test if it went through)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError as error:
        return str(error)
    raise AssertionError(f"the runtime role was allowed: {statement}")


def _one(statement: str, params: list[object] | None = None) -> object:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


@pytest.fixture
def signed_note() -> SessionNote:
    therapist = TherapistFactory()
    patient = PatientFactory(therapist=therapist)
    note = services.session_note_create(
        therapist=therapist, patient=patient, session_date=date(2030, 1, 2), content="Worked on sleep.", tags=["sleep"]
    )
    return services.session_note_sign(note=note, signed_by=therapist.user)


def _trigger_names(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        return [row[0] for row in cursor.fetchall()]


def test_the_app_connects_as_the_runtime_role_which_owns_nothing_and_is_no_superuser() -> None:
    app_user = connection.settings_dict["APP_USER"]
    assert _one("SELECT current_user") == app_user == db_roles.DEFAULT_APP_USER
    assert (
        _one(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        is False
    )
    assert (
        _one("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)")
        == 0
    )
    # and it cannot become the owner: it is a member of no role
    assert (
        _one(
            "SELECT count(*) FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles "
            "WHERE rolname = current_user)"
        )
        == 0
    )
    assert "permission denied" in _refused("SET ROLE %s", [connection.settings_dict["USER"]])


def test_pgtrigger_ignore_does_not_unlock_a_signed_note(signed_note: SessionNote) -> None:
    ignore = "{" + ",".join(_trigger_names("practice_sessionnote")) + "}"
    error = _refused(
        "SELECT set_config('pgtrigger.ignore', %s, true); UPDATE practice_sessionnote SET content = 'changed'",
        [ignore],
    )
    assert "signed and locked" in error
    signed_note.refresh_from_db()
    assert signed_note.content == "Worked on sleep."


def test_pgtrigger_ignore_does_not_skip_a_history_event(signed_note: SessionNote) -> None:
    patient = signed_note.patient
    events = pghistory.models.Events.objects.tracks(patient).count()
    ignore = "{" + ",".join(_trigger_names("practice_patient")) + "}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignore])
        cursor.execute("UPDATE practice_patient SET first_name = 'Renamed' WHERE id = %s", [patient.pk])
    assert pghistory.models.Events.objects.tracks(patient).count() == events + 1


def test_a_malformed_ignore_setting_skips_nothing(signed_note: SessionNote) -> None:
    patient = signed_note.patient
    events = pghistory.models.Events.objects.tracks(patient).count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', 'not an array', true)")
        cursor.execute("UPDATE practice_patient SET first_name = 'X' WHERE id = %s", [patient.pk])
    assert pghistory.models.Events.objects.tracks(patient).count() == events + 1


def test_replication_mode_is_refused() -> None:
    assert "permission denied" in _refused("SET session_replication_role = replica")
    assert "permission denied" in _refused("SELECT set_config('session_replication_role', 'replica', false)")


def test_triggers_cannot_be_disabled_or_dropped(signed_note: SessionNote) -> None:
    assert "must be owner" in _refused("ALTER TABLE practice_sessionnote DISABLE TRIGGER ALL")
    trigger = _trigger_names("practice_sessionnote")[0]
    assert "must be owner" in _refused(f'DROP TRIGGER "{trigger}" ON practice_sessionnote')
    assert "must be owner" in _refused("DROP FUNCTION public._pgtrigger_should_ignore(name)")
    error = _refused(
        "CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME) "
        "RETURNS BOOLEAN LANGUAGE sql AS $$ SELECT TRUE $$"
    )
    assert "must be owner" in error or "permission denied" in error


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE practice_sessionnote CASCADE",
        "TRUNCATE practice_patient CASCADE",
        "TRUNCATE practice_patientevent",
    ],
)
def test_clinical_tables_cannot_be_truncated(signed_note: SessionNote, statement: str) -> None:
    assert "permission denied" in _refused(statement)
    assert SessionNote.objects.count() == 1 and Patient.objects.count() == 1


def test_history_cannot_be_rewritten_or_deleted(signed_note: SessionNote) -> None:
    assert "permission denied" in _refused("DELETE FROM practice_patientevent")
    assert "permission denied" in _refused("UPDATE practice_sessionnoteevent SET content = 'x'")
    assert "permission denied" in _refused("DELETE FROM django_migrations")
    assert "permission denied" in _refused("CREATE TABLE public.sneaky (id int)")


def test_the_owner_may_still_use_pgtrigger_ignore_for_maintenance(transactional_db: None) -> None:
    """The bench seed skips per-row history as the owner; the owner's sessions keep that switch."""
    therapist = TherapistFactory()
    patient = PatientFactory(therapist=therapist)
    before = pghistory.models.Events.objects.tracks(patient).count()
    ignore = "{" + ",".join(_trigger_names("practice_patient")) + "}"
    with db_roles.as_owner():
        with transaction.atomic(), connection.cursor() as cursor:
            assert _one("SELECT current_user") == connection.settings_dict["USER"]
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignore])
            cursor.execute("UPDATE practice_patient SET first_name = 'Quiet' WHERE id = %s", [patient.pk])
    assert _one("SELECT current_user") == connection.settings_dict["APP_USER"]
    assert pghistory.models.Events.objects.tracks(patient).count() == before


def test_db_roles_prints_what_migrate_grants(transactional_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("db_roles", "--sql")
    printed = capsys.readouterr().out
    assert 'ROLE "sanctuary_app" WITH LOGIN NOSUPERUSER' in printed
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "sanctuary_app"' in printed
    assert 'REVOKE UPDATE, DELETE ON TABLE "practice_sessionnoteevent" FROM "sanctuary_app"' in printed


def test_db_roles_grants_again(transactional_db: None) -> None:
    call_command("db_roles")
    assert Patient.objects.count() == 0  # the app still reads


def test_the_runtime_password_is_not_a_guessable_default(settings) -> None:  # type: ignore[no-untyped-def]
    password = connection.settings_dict["APP_PASSWORD"]
    assert password == db_roles.derived_password(settings.SECRET_KEY) and len(password) == 64
    assert db_roles.derived_password("another key") != password


def test_nothing_can_be_switched_on_a_raw_connection_either(signed_note: SessionNote) -> None:
    """The same refusals on a connection of the runtime role's own (what a second client of it would get)."""
    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k in ("dbname", "user", "password", "host", "port")
    }
    with psycopg.connect(**params) as raw:
        attempts: list[Callable[[], object]] = [
            lambda: raw.execute("SET session_replication_role = replica"),
            lambda: raw.execute("TRUNCATE practice_sessionnote CASCADE"),
        ]
        for attempt in attempts:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                attempt()
            raw.rollback()


def test_the_database_does_not_log_failed_statements() -> None:
    """Set by migrate on the database itself, so it holds on a server whose configuration logs them."""
    assert _one("SHOW log_min_error_statement") == "panic"
    assert _one("SHOW log_error_verbosity") == "terse"
