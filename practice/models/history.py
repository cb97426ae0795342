"""History on clinical tables (django-pghistory)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pghistory


def clinical_history() -> Callable[[Any], Any]:
    """Track inserts, updates and deletes in an append-only event table.

    Each event row points at a ``pghistory.Context`` holding the acting user and the request URL
    (set by ``HistoryMiddleware`` in requests, by ``pghistory.context`` in services and commands).
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        context_field=pghistory.ContextForeignKey(),
        append_only=True,
    )
