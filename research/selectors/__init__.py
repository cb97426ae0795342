"""Every read of the research side used by the admin, the staff API and commands, by area: ``directory`` (one
therapist's research record), ``intake`` (survey answers and their export), ``outreach`` (the funnel, the A/B
verdict, the engagement log) and ``eoi`` (the review queue). Everything is importable from here."""

from research.selectors.directory import emails_for_therapist, events_for_therapist, feedback_for_therapist
from research.selectors.eoi import eois_awaiting_review
from research.selectors.intake import Question, QuestionSummary, survey_export_rows, survey_questions, survey_summary
from research.selectors.outreach import (
    EXPERIMENT_MIN_DIFFERENCE_POINTS,
    EXPERIMENT_MIN_RECIPIENTS,
    Verdict,
    experiment_verdict,
    funnel_by_variant,
    funnel_stage_counts,
    recent_engagement,
)

__all__ = [
    "EXPERIMENT_MIN_DIFFERENCE_POINTS",
    "EXPERIMENT_MIN_RECIPIENTS",
    "Question",
    "QuestionSummary",
    "Verdict",
    "emails_for_therapist",
    "eois_awaiting_review",
    "events_for_therapist",
    "experiment_verdict",
    "feedback_for_therapist",
    "funnel_by_variant",
    "funnel_stage_counts",
    "recent_engagement",
    "survey_export_rows",
    "survey_questions",
    "survey_summary",
]
