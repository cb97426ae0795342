"""Abstract bases and constraint helpers shared by the domain apps."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(UUIDModel):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A CHECK constraint backing a ``TextChoices`` field (``choices=`` alone constrains nothing)."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def scale_check(
    field: str, name: str, low: int = 1, high: int = 10, *, nullable: bool = False,
) -> models.CheckConstraint:
    """A CHECK constraint for a bounded integer scale (the 1–10 ratings)."""
    in_range = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        in_range |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=in_range, name=name)
