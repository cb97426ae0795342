"""Abstract bases and constraint helpers shared by the domain apps."""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
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


# The 1–10 ratings (mood, energy, anxiety, sleep, progress scores): the database CHECKs them with
# ``scale_check``, the API's serializers validate them with the same bounds.
SCALE_MIN, SCALE_MAX = 1, 10


def scale_check(
    field: str,
    name: str,
    low: int = SCALE_MIN,
    high: int = SCALE_MAX,
    *,
    nullable: bool = False,
) -> models.CheckConstraint:
    """A CHECK constraint for a bounded integer scale (the 1–10 ratings)."""
    in_range = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        in_range |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=in_range, name=name)


class ThrottleWindow(models.Model):
    """One rate limit's hits in one fixed window (``sanctuary.throttles``): a counter every worker shares,
    bumped by one atomic upsert per request, so a limit is exact however many workers serve."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of the upsert and of the clean-up by age.
            models.UniqueConstraint(fields=["key", "window_start"], name="sanctuary_throttlewindow_key_window_unique"),
        ]
        indexes = [
            # The periodic clean-up of windows long past.
            models.Index(fields=["window_start"], name="sanctuary_throttle_window"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class IdempotencyKey(models.Model):
    """A create that was done, under the key its client chose (``sanctuary.api.idempotency``): a retry with the
    same key and body gets this response back instead of doing it again. Written in the create's own
    transaction, so a create that did not commit left no key."""

    scope = models.CharField(max_length=200, help_text="user:<id>, or ip:<address> for the public endpoints")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="sanctuary_idempotencykey_scope_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="sanctuary_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.status}"
