"""``migrate`` as the owner role; afterwards the runtime role gets its rights (sanctuary/db_roles.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate

from sanctuary import db_roles


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        with db_roles.as_owner(options.get("database") or "default"):
            super().handle(*args, **options)
