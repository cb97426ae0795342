"""Practice-wide lookup tables: session types, progress areas and note tags (seed-facts A.3)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from sanctuary.models import TimeStampedModel

HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"


class SessionType(TimeStampedModel):
    """Types of therapy sessions (Individual, Couples, Family)."""

    name = models.CharField(max_length=50)
    description = models.TextField(blank=True)
    default_duration_minutes = models.PositiveIntegerField(default=50)
    default_rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        db_table_comment = "Types of therapy sessions (Individual, Couples, Family)"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="practice_sessiontype_name_ci_unique"),
            models.CheckConstraint(
                condition=Q(default_duration_minutes__gt=0),
                name="practice_sessiontype_duration_positive",
            ),
            models.CheckConstraint(
                condition=Q(default_rate__isnull=True) | Q(default_rate__gte=0),
                name="practice_sessiontype_rate_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgressArea(TimeStampedModel):
    """Standardised areas for tracking patient progress."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=50, blank=True, help_text="mental_health, behavioral, social, …")

    class Meta:
        ordering = ["name"]
        db_table_comment = "Standardized areas for tracking patient progress"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="practice_progressarea_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(TimeStampedModel):
    """Tags for categorising session notes. Usage count and last use (G3) are derived by
    ``selectors.tag_usage`` from ``NoteTag`` rows, so they cannot drift."""

    name = models.CharField(max_length=50)
    color = models.CharField(
        max_length=7,
        default="#6B7280",
        validators=[RegexValidator(HEX_COLOUR, "Use a hex colour like #6B7280.")],
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        db_table_comment = "Tags for categorizing session notes"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="practice_tag_name_ci_unique"),
            models.CheckConstraint(condition=Q(color__regex=HEX_COLOUR), name="practice_tag_color_hex"),
        ]

    def __str__(self) -> str:
        return self.name
