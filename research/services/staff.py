"""What research staff change by hand: the review state of survey responses and feedback, and the suppression
list. Submissions themselves (the answers, the comment) are the respondent's words and never change."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from practice.services import validate
from research.models import Feedback, FeedbackStatus, Suppression, SuppressionReason, SurveyResponse
from research.models.options import ProcessingStatus


def survey_response_review(
    *,
    response: SurveyResponse,
    processing_status: str,
    notes: str,
    actor: AbstractBaseUser | None = None,
) -> SurveyResponse:
    """Set a response's processing status (Q28) and the staff notes (Q29)."""
    if processing_status not in ProcessingStatus.values:
        raise ValidationError({"processing_status": ["Choose one of the processing statuses."]})
    with transaction.atomic():
        response = SurveyResponse.objects.select_for_update(no_key=True).get(pk=response.pk)
        response.processing_status = processing_status
        response.notes = notes.strip()
        validate(response)
        response.save(update_fields=["processing_status", "notes", "updated_at"])
    return response


def feedback_review(*, feedback: Feedback, status: str, actor: AbstractBaseUser | None = None) -> Feedback:
    """Move a piece of widget feedback along its triage (new → reviewed → actioned)."""
    if status not in FeedbackStatus.values:
        raise ValidationError({"status": ["Choose one of the feedback statuses."]})
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update(no_key=True).get(pk=feedback.pk)
        feedback.status = status
        feedback.save(update_fields=["status", "updated_at"])
    return feedback


def suppression_add(*, email: str, note: str = "", actor: AbstractBaseUser | None = None) -> Suppression:
    """Stop research e-mail to an address by hand (an address asked by phone, a known role account)."""
    suppression = Suppression(email=email.strip().lower(), reason=SuppressionReason.MANUAL, note=note.strip())
    validate(suppression)
    try:
        with transaction.atomic():
            suppression.save()
    except IntegrityError as error:
        raise ValidationError({"email": ["This address is already suppressed."]}) from error
    return suppression


def suppression_remove(*, suppression: Suppression, actor: AbstractBaseUser | None = None) -> None:
    """Lift a suppression staff added by mistake; an unsubscribe, bounce or complaint is the recipient's and stays."""
    if suppression.reason != SuppressionReason.MANUAL:
        raise ValidationError(
            {
                "reason": [
                    "Only a suppression added by staff can be lifted; this one is the recipient's "
                    f"({suppression.get_reason_display().lower()})."
                ]
            }
        )
    with transaction.atomic():
        Suppression.objects.filter(pk=suppression.pk).delete()
