"""The practice-wide lookup tables (session types, progress areas, note tags): managers keep them."""

from __future__ import annotations

from django.contrib.auth.models import User

from practice.models import ProgressArea, SessionType, Tag
from practice.services.base import _acting, _delete, _save

type Lookup = SessionType | ProgressArea | Tag


def lookup_save(*, instance: Lookup, actor: User | None = None) -> Lookup:
    """Create or change a lookup row (names are unique case-insensitively, checked as a field error)."""
    instance.name = instance.name.strip()
    with _acting(actor):
        return _save(instance)


def lookup_delete(*, instance: Lookup, actor: User | None = None) -> None:
    """Delete an unused lookup row; one that appointments, notes or progress entries use stays."""
    with _acting(actor):
        _delete(instance, str(instance._meta.verbose_name))
