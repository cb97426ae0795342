"""Mood and progress tracking (1–10 scales, CHECK-constrained)."""

from __future__ import annotations

from django.db import models

from practice.models.history import clinical_history
from sanctuary import display
from sanctuary.models import TimeStampedModel, scale_check


@clinical_history()
class MoodEntry(TimeStampedModel):
    """Patient mood tracking data."""

    patient = models.ForeignKey(
        "practice.Patient",
        on_delete=models.CASCADE,
        related_name="mood_entries",
        # Covered by the (patient, entry_date) index below.
        db_index=False,
    )
    # Denormalised from the patient so every clinical table carries the distribution key (DESIGN §7).
    therapist = models.ForeignKey("practice.Therapist", on_delete=models.PROTECT, related_name="+")
    session_note = models.ForeignKey(
        "practice.SessionNote",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mood_entries",
    )
    entry_date = models.DateField()
    mood_rating = models.PositiveSmallIntegerField(help_text="1 (low) – 10 (high)")
    notes = models.TextField(blank=True)
    energy_level = models.PositiveSmallIntegerField(null=True, blank=True)
    anxiety_level = models.PositiveSmallIntegerField(null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-entry_date", "-created_at"]
        verbose_name_plural = "mood entries"
        db_table_comment = "Patient mood tracking data"
        constraints = [
            scale_check("mood_rating", "practice_moodentry_mood_rating_range"),
            scale_check("energy_level", "practice_moodentry_energy_level_range", nullable=True),
            scale_check("anxiety_level", "practice_moodentry_anxiety_level_range", nullable=True),
            scale_check("sleep_quality", "practice_moodentry_sleep_quality_range", nullable=True),
        ]
        indexes = [
            # Mood chart / latest and average mood per patient (patient_summary), by date.
            models.Index(fields=["patient", "-entry_date"], name="practice_mood_patient_date"),
        ]

    def __str__(self) -> str:
        return f"Mood {self.mood_rating}/10, {display.date_label(self.entry_date)} – {self.patient.full_name}"


@clinical_history()
class ProgressEntry(TimeStampedModel):
    """Patient progress tracking in specific areas."""

    patient = models.ForeignKey(
        "practice.Patient",
        on_delete=models.CASCADE,
        related_name="progress_entries",
        # Covered by the (patient, entry_date) index below.
        db_index=False,
    )
    therapist = models.ForeignKey("practice.Therapist", on_delete=models.PROTECT, related_name="+")
    progress_area = models.ForeignKey(
        "practice.ProgressArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    session_note = models.ForeignKey(
        "practice.SessionNote",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_entries",
    )
    entry_date = models.DateField()
    score = models.PositiveSmallIntegerField()
    notes = models.TextField(blank=True)
    baseline_score = models.PositiveSmallIntegerField(null=True, blank=True)
    target_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-entry_date", "-created_at"]
        verbose_name_plural = "progress entries"
        db_table_comment = "Patient progress tracking in specific areas"
        constraints = [
            scale_check("score", "practice_progressentry_score_range"),
            scale_check("baseline_score", "practice_progressentry_baseline_score_range", nullable=True),
            scale_check("target_score", "practice_progressentry_target_score_range", nullable=True),
        ]
        indexes = [
            # Progress chart per patient, by date.
            models.Index(fields=["patient", "-entry_date"], name="practice_progress_patient_date"),
        ]

    def __str__(self) -> str:
        return f"Progress {self.score}/10, {display.date_label(self.entry_date)} – {self.patient.full_name}"
