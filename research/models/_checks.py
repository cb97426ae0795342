"""CHECK-constraint helpers for research tables (names follow ``research_<model>_<rule>``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def array_choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """Every member of an array column is one of the canonical values (``choices=`` constrains nothing)."""
    return models.CheckConstraint(condition=Q(**{f"{field}__contained_by": list(choices.values)}), name=name)


def optional_choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """Blank (unanswered) or one of the canonical values."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": [*choices.values, ""]}), name=name)
