"""Every read of the research side used by the admin, the APIs and commands, by area: ``directory`` (search,
one therapist's research record), ``intake`` (survey answers, their export, the staff lists, the survey
session), ``outreach`` (the funnel, the A/B verdict, the engagement log, follow-ups due) and ``eoi`` (the review
queue, the conversion preview). Everything is importable from here."""

from research.selectors.directory import (
    directory_search,
    emails_for_therapist,
    events_for_therapist,
    feedback_for_therapist,
)
from research.selectors.eoi import (
    REVIEW_QUEUE,
    eoi_conversion_preview,
    eoi_review_queue,
    eois_awaiting_review,
    eois_for_staff,
)
from research.selectors.intake import (
    Question,
    QuestionSummary,
    feedback_for_staff,
    survey_export_rows,
    survey_questions,
    survey_responses_for_staff,
    survey_session,
    survey_summary,
)
from research.selectors.outreach import (
    EXPERIMENT_MIN_DIFFERENCE_POINTS,
    EXPERIMENT_MIN_RECIPIENTS,
    DueFollowUp,
    Verdict,
    experiment_verdict,
    followups_due,
    funnel_by_variant,
    funnel_stage_counts,
    recent_engagement,
)

__all__ = [
    "EXPERIMENT_MIN_DIFFERENCE_POINTS",
    "EXPERIMENT_MIN_RECIPIENTS",
    "REVIEW_QUEUE",
    "DueFollowUp",
    "Question",
    "QuestionSummary",
    "Verdict",
    "directory_search",
    "emails_for_therapist",
    "eoi_conversion_preview",
    "eoi_review_queue",
    "eois_awaiting_review",
    "eois_for_staff",
    "events_for_therapist",
    "experiment_verdict",
    "feedback_for_staff",
    "feedback_for_therapist",
    "followups_due",
    "funnel_by_variant",
    "funnel_stage_counts",
    "recent_engagement",
    "survey_export_rows",
    "survey_questions",
    "survey_responses_for_staff",
    "survey_session",
    "survey_summary",
]
