"""Import the CSV exports of the four original Notion databases. Idempotent; prints a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from research.services.notion_import import FILES, notion_export_import


class Command(BaseCommand):
    help = (
        f"Import Notion CSV exports from a directory holding {', '.join(FILES.values())} (any subset); safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        if not directory.is_dir() or not any((directory / name).exists() for name in FILES.values()):
            raise CommandError(f"{directory} holds none of {', '.join(FILES.values())}")
        for line in notion_export_import(directory=directory).lines():
            self.stdout.write(line)
