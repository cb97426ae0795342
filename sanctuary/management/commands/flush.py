"""``flush`` as the owner role: the runtime role may not TRUNCATE (sanctuary/db_roles.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from sanctuary import db_roles


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with db_roles.as_owner(options.get("database") or "default"):
            super().handle(**options)
