"""Research CRM models, one module per aggregate, re-exported here."""

from research.models.eoi import (
    EOIAudience,
    EOIReviewEvent,
    ExpressionOfInterest,
    ProfileStatus,
    ReviewAction,
    ReviewSource,
)
from research.models.feedback import Feedback, FeedbackStatus
from research.models.outreach import (
    EngagementEvent,
    EventKind,
    EventStatus,
    OutboundEmail,
    OutboundStatus,
    SequenceStep,
    Suppression,
    SuppressionReason,
)
from research.models.state import FOLLOW_UP_RULES, FunnelStage, NextAction, TherapistResearchState
from research.models.surveys import SurveyResponse

__all__ = [
    "FOLLOW_UP_RULES",
    "EOIAudience",
    "EOIReviewEvent",
    "EngagementEvent",
    "EventKind",
    "EventStatus",
    "ExpressionOfInterest",
    "Feedback",
    "FeedbackStatus",
    "FunnelStage",
    "NextAction",
    "OutboundEmail",
    "OutboundStatus",
    "ProfileStatus",
    "ReviewAction",
    "ReviewSource",
    "SequenceStep",
    "Suppression",
    "SuppressionReason",
    "SurveyResponse",
    "TherapistResearchState",
]
