"""Feedback left through the site-wide widget (seed facts B.6, B.9)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from research.models._checks import array_choices_check
from research.models.options import FeedbackAudience, FeedbackTag, PageSection
from sanctuary.models import TimeStampedModel, choices_check, scale_check

# The rating scale is 1–5. The original widget had six stars only because a sixth was added "to verify
# we're editing the correct widget" (B.9), so 1–6 was an accident, not a design. Imported 1–6 ratings are
# kept verbatim in ``legacy_rating_6`` and rescaled onto 1–5 in ``rating`` (see services.rescale_legacy_rating).
RATING_MIN, RATING_MAX = 1, 5


class FeedbackStatus(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    ACTIONED = "actioned", "Actioned"


class Feedback(TimeStampedModel):
    Status = FeedbackStatus

    rating = models.PositiveSmallIntegerField(help_text="1 (poor) – 5 (excellent).")
    legacy_rating_6 = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The original 1–6 star value of an imported row.",
    )
    comment = models.TextField(blank=True)
    tags = ArrayField(models.CharField(max_length=20, choices=FeedbackTag.choices), default=list, blank=True)

    page_url = models.URLField(max_length=500, blank=True)
    page_path = models.CharField(max_length=300, blank=True)
    page_title = models.CharField(max_length=200, blank=True)
    section = models.CharField(max_length=20, choices=PageSection.choices, default=PageSection.OTHER)
    audience = models.CharField(max_length=20, choices=FeedbackAudience.choices)
    # Sandbox quiz position, scroll depth, viewport and UTM tags, as sent by the widget (validated keys only).
    context = models.JSONField(default=dict, blank=True)

    tracking_id = models.CharField(max_length=100, blank=True)
    session_id = models.CharField(max_length=100, blank=True)
    # An e-mail claimed by the page (not verified); used only as a linking fallback by backfill_relations.
    email = models.EmailField(max_length=255, blank=True)

    # Linked when known: the signed token first, then the survey session, then the e-mail; else anonymous.
    therapist = models.ForeignKey(
        "practice.Therapist",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    survey_response = models.ForeignKey(
        "research.SurveyResponse",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    import_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name_plural = "feedback"
        constraints = [
            scale_check("rating", "research_feedback_rating_1_5", RATING_MIN, RATING_MAX),
            scale_check("legacy_rating_6", "research_feedback_legacy_rating_1_6", 1, 6, nullable=True),
            array_choices_check("tags", FeedbackTag, "research_feedback_tags_valid"),
            choices_check("section", PageSection, "research_feedback_section_valid"),
            choices_check("audience", FeedbackAudience, "research_feedback_audience_valid"),
            choices_check("status", FeedbackStatus, "research_feedback_status_valid"),
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~Q(import_key=""),
                name="research_feedback_import_key_unique",
            ),
        ]
        indexes = [
            # Therapist admin page: "all feedback for this therapist", newest first.
            models.Index(fields=["therapist", "-submitted_at"], name="research_feedback_therapist"),
            models.Index(fields=["email"], condition=Q(therapist__isnull=True), name="research_feedback_orphan_email"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 {self.get_section_display()} feedback {self.submitted_at:%Y-%m-%d}"
