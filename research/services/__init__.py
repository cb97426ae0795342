"""Every research write goes through a service here (house style: ``<entity>_<verb>``, keyword-only)."""

from research.services.eoi_review import (
    ConversionResult,
    eoi_convert_to_profile,
    eoi_reject,
    eoi_reopen,
    eoi_start_review,
)
from research.services.events import EventInput, RecordedEvent, StateDelta, event_record
from research.services.followups import followup_claim, followup_send
from research.services.intake import (
    eoi_submit,
    feedback_submit,
    research_unsubscribe,
    sandbox_visit_record,
    survey_response_submit,
    therapist_id_by_email,
)
from research.services.relations import relations_backfill, therapist_sync_from_survey
from research.services.resend import resend_event_ingest, resend_event_parse
from research.services.staff import feedback_review, suppression_add, suppression_remove, survey_response_review

__all__ = [
    "ConversionResult",
    "EventInput",
    "RecordedEvent",
    "StateDelta",
    "eoi_convert_to_profile",
    "eoi_reject",
    "eoi_reopen",
    "eoi_start_review",
    "eoi_submit",
    "event_record",
    "feedback_review",
    "feedback_submit",
    "followup_claim",
    "followup_send",
    "relations_backfill",
    "research_unsubscribe",
    "resend_event_ingest",
    "resend_event_parse",
    "sandbox_visit_record",
    "suppression_add",
    "suppression_remove",
    "survey_response_review",
    "survey_response_submit",
    "therapist_id_by_email",
    "therapist_sync_from_survey",
]
