"""``manage.py restore FILE``: replace the database with a backup (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sanctuary import backup, db_roles


class Command(BaseCommand):
    help = (
        "Restore FILE (from `manage.py backup`) into the database, replacing what is there, in one "
        "transaction. --into NAME restores into another database of the same server instead (to check a "
        "backup without touching the live one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--into", help="Another (existing) database on the same server.")
        parser.add_argument("--yes", action="store_true", help="Replace the live database without asking.")

    def handle(self, *args: Any, file: Path, into: str | None, yes: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"no backup file at {file}")
        name = into or connection.settings_dict["NAME"]
        if into is None and not yes:
            raise CommandError(f"this replaces everything in database {name}; run again with --yes to go ahead")
        connection.ensure_connection()
        major = connection.cursor().connection.info.server_version // 10000
        connection.close()  # the restore drops and recreates objects this connection may hold locks on
        try:
            backup.restore(settings_dict=connection.settings_dict, server_major=major, path=file, dbname=into)
        except Exception as error:
            raise CommandError(f"restore failed: {getattr(error, 'stderr', '') or error}") from error
        if into is None:
            # The archive holds no privileges (pg_dump --no-privileges): give the runtime role its rights again.
            with db_roles.as_owner():
                db_roles.runtime_role_ensure()
        self.stdout.write(f"restored {file} into {name}")
