"""``manage.py db_roles``: create or update the app's runtime role and grant it its rights in this database
(what ``migrate`` does too); ``--sql`` prints the statements for a DBA instead of running them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sanctuary import db_roles


class Command(BaseCommand):
    help = "Create/update the least-privilege runtime role (DATABASE_APP_USER) and its grants, as the owner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sql", action="store_true", help="Print the SQL (password included) and exit.")

    def handle(self, *args: Any, sql: bool, **options: Any) -> None:
        app_user = connection.settings_dict.get("APP_USER")
        if not app_user:
            raise CommandError("DATABASE_APP_USER is empty: the app runs as the owner, there is no runtime role")
        with db_roles.as_owner():
            if sql:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_user])
                    exists = cursor.fetchone() is not None
                    pg = cursor.connection
                    self.stdout.write(
                        db_roles.role_sql(
                            app_user, str(connection.settings_dict["APP_PASSWORD"]), exists=exists
                        ).as_string(pg)
                        + ";"
                    )
                    cursor.execute("SELECT current_user")
                    owner = cursor.fetchone()[0]
                    for statement in db_roles.grants_sql(app_user, owner):
                        self.stdout.write(statement.as_string(pg) + ";")
                return
            try:
                db_roles.runtime_role_ensure()
            except RuntimeError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(f"runtime role {app_user}: rights granted in {connection.settings_dict['NAME']}")
