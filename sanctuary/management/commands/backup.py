"""``manage.py backup FILE``: a consistent snapshot of the database (``pg_dump``, custom format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sanctuary import backup


class Command(BaseCommand):
    help = "Back the database up into FILE (pg_dump custom format; restore with `manage.py restore FILE`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        connection.ensure_connection()  # starts the embedded server when that is the database
        major = connection.cursor().connection.info.server_version // 10000
        try:
            backup.backup(settings_dict=connection.settings_dict, server_major=major, path=file)
        except Exception as error:
            raise CommandError(f"backup failed: {getattr(error, 'stderr', '') or error}") from error
        self.stdout.write(f"backed up {connection.settings_dict['NAME']} to {file} ({file.stat().st_size} bytes)")
