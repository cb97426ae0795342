"""Two database roles: the **owner** (``DATABASE_URL``'s user, or the embedded server's superuser) owns the
schema and runs migrations, ``flush``, backups and restores; the app's requests, commands and jobs run as the
**runtime** role (``DATABASE_APP_USER``, default ``sanctuary_app``), which may read and write rows and
nothing else.

What the runtime role cannot do, whatever SQL it sends (``tests/sanctuary/test_db_roles.py``):

- switch a guard off: it is no superuser (``session_replication_role`` is refused), owns no table
  (``ALTER TABLE … DISABLE TRIGGER`` is refused), and ``pgtrigger.ignore`` is honoured for the owner's
  sessions only (the function every trigger asks is replaced after each ``migrate``);
- empty a table: it has no ``TRUNCATE``;
- rewrite history: on the event tables it may only ``SELECT`` and ``INSERT``, on ``django_migrations`` only
  ``SELECT``.

Switching: ``as_owner()`` makes every connection this process opens use the owner's login until it exits; the
``migrate`` and ``flush`` commands, test-database creation and the bench's reset use it. There is no way
back from the runtime role to the owner over SQL (not ``SET ROLE``: the runtime role is not a member).

The runtime role is created by ``migrate`` (``runtime_role_ensure``, when the owner may create roles: the
embedded server's superuser, a superuser or ``CREATEROLE`` owner) or by a DBA with the SQL ``manage.py
db_roles --sql`` prints. Its password is ``DATABASE_APP_PASSWORD``, by default derived from the secret key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import connections
from psycopg import sql

logger = logging.getLogger(__name__)

DEFAULT_APP_USER = "sanctuary_app"

_owner_depth = 0


def owner_active() -> bool:
    """Whether connections opened now log in as the owner."""
    return _owner_depth > 0


@contextlib.contextmanager
def as_owner(using: str = "default") -> Iterator[None]:
    """Run the block with the owner's login: the current connection is closed on the way in and out, so it
    reopens with the right role. Not inside a transaction (closing would lose it)."""
    global _owner_depth
    connection = connections[using]
    switching = _owner_depth == 0 and bool(connection.settings_dict.get("APP_USER"))
    if switching:
        if connection.in_atomic_block:
            raise RuntimeError("as_owner() cannot switch roles inside a transaction")
        connection.close()
    _owner_depth += 1
    try:
        yield
    finally:
        _owner_depth -= 1
        if switching:
            connection.close()


def derived_password(secret_key: str) -> str:
    """The runtime role's default password: stable for a secret key, useless without it."""
    return hmac.new(secret_key.encode(), b"sanctuary database runtime role", hashlib.sha256).hexdigest()


def with_runtime_role(database: dict[str, Any], *, app_user: str, app_password: str) -> dict[str, Any]:
    """A ``DATABASES`` entry whose requests run as ``app_user``; its USER/PASSWORD stay the owner's. An empty
    ``app_user`` (or the owner's own name) keeps one role for everything."""
    if not app_user or app_user == database.get("USER"):
        return database
    engine = database.get("ENGINE", "")
    if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        engine = "sanctuary.db_backend"
    return {**database, "ENGINE": engine, "APP_USER": app_user, "APP_PASSWORD": app_password}


def _event_tables() -> list[str]:
    from pghistory.models import Event

    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, Event) and model._meta.managed and not model._meta.proxy
    )


def grants_sql(app_user: str, owner: str) -> list[sql.Composable]:
    """What the runtime role may do in this database, from scratch each time (``migrate`` runs it)."""
    role = sql.Identifier(app_user)
    statements: list[sql.Composable] = [
        # Nobody but the owner creates objects in the schema (PostgreSQL 15's default, made explicit).
        sql.SQL(
            "DO $$ BEGIN REVOKE CREATE ON SCHEMA public FROM PUBLIC; "
            "EXCEPTION WHEN insufficient_privilege THEN NULL; END $$"
        ),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role),
        sql.SQL("REVOKE INSERT, UPDATE, DELETE ON TABLE django_migrations FROM {}").format(role),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
        # Tables the owner creates outside a migration (the bench's) are the app's to use the same way.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(role),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}").format(
            role
        ),
        # pgtrigger lets any session skip a trigger by naming it in the ``pgtrigger.ignore`` setting, which
        # every role may set. Only the owner's sessions may (the bench's bulk seed does); for anyone else the
        # function every trigger asks answers "no" without reading the setting.
        # pgtrigger recreates the function whenever a migration installs a trigger; this runs after every migrate.
        sql.SQL(
            "CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME) RETURNS BOOLEAN "
            "LANGUAGE sql STABLE AS $$ SELECT pg_has_role(current_user, {}, 'MEMBER') AND trigger_name = ANY ("
            "coalesce(nullif(current_setting('pgtrigger.ignore', true), ''), '{{}}')::name[]) $$"
        ).format(sql.Literal(owner)),
    ]
    statements += [
        sql.SQL("REVOKE UPDATE, DELETE ON TABLE {} FROM {}").format(sql.Identifier(table), role)
        for table in _event_tables()
    ]
    return statements


def role_sql(app_user: str, password: str, *, exists: bool) -> sql.Composable:
    verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
    return sql.SQL(
        "{} {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD {}"
    ).format(verb, sql.Identifier(app_user), sql.Literal(password))


def runtime_role_ensure(using: str = "default") -> None:
    """As the owner: create or update the runtime role when allowed, then grant it its rights here."""
    connection = connections[using]
    app_user = connection.settings_dict.get("APP_USER")
    if not app_user:
        return
    password = str(connection.settings_dict.get("APP_PASSWORD") or "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        may_manage_roles = bool(cursor.fetchone()[0])
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_user])
        found = cursor.fetchone()
        if found is not None and found[0]:
            raise RuntimeError(f"the runtime role {app_user} is a superuser; it must not be")
        if may_manage_roles:
            # On the raw cursor: Django's query log (DEBUG, the django.db.backends logger) never sees the password.
            cursor.cursor.execute(role_sql(app_user, password, exists=found is not None))
        elif found is None:
            raise RuntimeError(
                f"the runtime role {app_user} does not exist and {connection.settings_dict.get('USER')} may not "
                "create roles: have a DBA run the SQL `manage.py db_roles --sql` prints"
            )
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        for statement in grants_sql(app_user, owner):
            cursor.execute(statement.as_string(cursor.connection))


# PostgreSQL writes a failed statement to its log, values included (a clashing booking's private notes, an
# e-mail address). Sessions of this database log the error message alone. Both settings are superuser-only:
# an owner who may not set them leaves them to the server's configuration (docs/operations.md says how).
QUIET_FAILED_STATEMENTS = (
    "DO $$ BEGIN "
    "EXECUTE format('ALTER DATABASE %I SET log_min_error_statement = panic', current_database()); "
    "EXECUTE format('ALTER DATABASE %I SET log_error_verbosity = terse', current_database()); "
    "EXCEPTION WHEN insufficient_privilege THEN "
    "RAISE NOTICE 'not allowed to quieten failed statements here: configure the server'; END $$"
)


def ensure_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` (once per migrate, from the sanctuary app): the runtime role and its grants, and a
    database that does not log failed statements' values."""
    if owner_active() or not connections[using].settings_dict.get("APP_USER"):
        with connections[using].cursor() as cursor:
            cursor.execute(QUIET_FAILED_STATEMENTS)
    if owner_active():
        runtime_role_ensure(using)
