"""The research e-mail sequence (B.14): sending a due step at most once (who is due: ``research.selectors``).

Sending is claim → send → record:

1. claim (one transaction): lock the therapist's state row, re-check the rule and the suppression list,
   insert the ``OutboundEmail`` (status ``queued``). The UNIQUE (therapist, step) constraint makes the
   claim exclusive: an overlapping run fails to insert and skips. Nothing is sent inside a transaction.
2. send through Django's e-mail API (anymail/Resend in production) with provider tags and metadata, and
   the RFC 8058 List-Unsubscribe headers;
3. record: provider message id + status on the e-mail, and an engagement event (which also bumps the
   follow-up counters and marks the step as sent on the state).

A crash between 1 and 2 leaves a ``queued`` row: the step is not re-sent automatically (at most once beats
at least once for people who did not ask for e-mail); staff see it in the admin.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from practice.models import Therapist
from research.models import (
    EventKind,
    EventStatus,
    FunnelStage,
    OutboundEmail,
    SequenceStep,
    Suppression,
    TherapistResearchState,
)
from research.services.events import EventInput, StateDelta, event_record
from research.tokens import survey_token_make, unsubscribe_token_make

logger = logging.getLogger(__name__)

EXPERIMENT_ID = "EXP-01-subject-intro-v1"
SUBJECTS: dict[int, str] = {
    SequenceStep.INVITATION: "Help us build a better therapist-matching system (invitation inside)",
    SequenceStep.FOLLOW_UP_NON_RESPONDER: "Quick reminder: Share your insights on therapist matching",
    SequenceStep.FOLLOW_UP_NO_CLICK: "Don't miss this opportunity to shape the future",
    SequenceStep.FOLLOW_UP_INCOMPLETE: "Complete your contribution (2 minutes left)",
    SequenceStep.THANK_YOU: "Thank you for helping shape Therapair + next steps",
}
# EXP-01: the invitation's subject line is the A/B arm.
INVITATION_SUBJECTS = {
    "A": "Help shape a better therapist-matching system",
    "B": "5 minutes to improve therapist matching?",
}
INTROS: dict[int, str] = {
    SequenceStep.INVITATION: (
        "We found your details in the VIC inclusive practitioners register and would value 5–7 minutes of your "
        "insight into what makes a great therapist–client match."
    ),
    SequenceStep.FOLLOW_UP_NON_RESPONDER: "A quick reminder about our short research survey on therapist matching.",
    SequenceStep.FOLLOW_UP_NO_CLICK: "Your experience could shape how clients find the right therapist.",
    SequenceStep.FOLLOW_UP_INCOMPLETE: "You started looking at our survey — it takes about two more minutes.",
    SequenceStep.THANK_YOU: "Thank you for completing the survey. You can try the matching sandbox here:",
}


def _is_suppressed(email: str) -> bool:
    return Suppression.objects.alias(e=Lower("email")).filter(e=email.strip().lower()).exists()


def followup_claim(*, therapist_id: uuid.UUID, step: int, now: datetime) -> OutboundEmail | None:
    """Reserve the step for this therapist; ``None`` if not due, suppressed, or already claimed."""
    with transaction.atomic():
        state = (
            TherapistResearchState.objects.select_for_update(no_key=True)
            .select_related("therapist")
            .filter(therapist_id=therapist_id)
            .first()
        )
        if state is None:
            if step != SequenceStep.INVITATION:
                return None
            therapist = Therapist.objects.filter(pk=therapist_id).first()
            if therapist is None:
                return None
            variant = ""
        else:
            therapist = state.therapist
            action = state.next_action()
            is_invitation = step == SequenceStep.INVITATION and state.stage == FunnelStage.NOT_INVITED
            if state.is_suppressed or not (is_invitation or (action.step == step and action.is_due(now))):
                return None
            variant = state.variant
        if _is_suppressed(therapist.email):
            return None
        if step == SequenceStep.INVITATION and not variant:
            # Alternate arms deterministically by therapist id so reruns do not reshuffle people.
            variant = "AB"[therapist.id.int % 2]
        email = OutboundEmail(
            therapist=therapist,
            to_email=therapist.email.strip().lower(),
            step=step,
            subject=INVITATION_SUBJECTS[variant] if step == SequenceStep.INVITATION else SUBJECTS[step],
            variant=variant,
            experiment_id=EXPERIMENT_ID if variant else "",
            status=OutboundEmail.Status.QUEUED,
        )
        email.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                email.save(force_insert=True)
        except IntegrityError:
            return None  # another run claimed this step first
        return email


def _links(email: OutboundEmail) -> tuple[str, str]:
    token = survey_token_make(therapist_id=email.therapist_id, variant=email.variant, experiment_id=email.experiment_id)
    query = {
        "token": token,
        "utm_source": "email",
        "utm_medium": "research",
        "utm_campaign": "therapist_research",
        "utm_content": "sandbox_demo" if email.step == SequenceStep.THANK_YOU else "survey",
    }
    if email.variant:
        query |= {"utm_variant": email.variant, "utm_experiment": "EXP-01"}
    survey_url = f"{settings.RESEARCH_SURVEY_URL}?{urlencode(query)}"
    unsubscribe_url = (
        f"{settings.RESEARCH_PUBLIC_BASE_URL.rstrip('/')}/research/unsubscribe/"
        f"{unsubscribe_token_make(email=email.to_email)}/"
    )
    return survey_url, unsubscribe_url


def followup_message(email: OutboundEmail, *, first_name: str) -> EmailMessage:
    survey_url, unsubscribe_url = _links(email)
    body = (
        f"Hi {first_name or 'there'},\n\n{INTROS[email.step]}\n\n{survey_url}\n\n"
        "Therapair is a small, not-for-profit initiative from Unison Mental Health.\n"
        f"Don't want research e-mails? Unsubscribe: {unsubscribe_url}\n"
    )
    message = EmailMessage(
        subject=email.subject,
        body=body,
        from_email=settings.RESEARCH_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[settings.RESEARCH_REPLY_TO],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    # Provider tags/metadata (django-anymail → Resend tags): the webhook attributes by message id anyway.
    message.tags = ["therapist_research", f"step-{email.step}"]  # type: ignore[attr-defined]
    message.metadata = {  # type: ignore[attr-defined]
        "campaign": "therapist_research",
        "step": str(email.step),
        "therapist_id": str(email.therapist_id),
        "variant": email.variant,
        "experiment": email.experiment_id,
    }
    return message


def followup_send(*, therapist_id: uuid.UUID, step: int, now: datetime) -> OutboundEmail | None:
    """Claim, send and record one sequence step; ``None`` when it was not (or no longer) due."""
    email = followup_claim(therapist_id=therapist_id, step=step, now=now)
    if email is None:
        return None
    message = followup_message(email, first_name=email.therapist.first_name)
    try:
        message.send()
    except Exception as exc:  # the provider's error types vary; the row records the failure
        logger.warning("research e-mail %s (step %s) failed: %s", email.pk, step, type(exc).__name__)
        OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED, error=str(exc)[:500])
        event_record(
            EventInput(
                kind=EventKind.EMAIL_FAILED,
                occurred_at=now,
                therapist_id=therapist_id,
                outbound_email_id=email.pk,
                recipient=email.to_email,
                status=EventStatus.FAILED,
                context={"step": step, "error": type(exc).__name__},
            )
        )
        email.refresh_from_db()
        return email
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None) if status is not None else None
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENT,
        sent_at=now,
        provider_message_id=message_id or None,
    )
    is_invitation = step == SequenceStep.INVITATION
    event_record(
        EventInput(
            kind=EventKind.EMAIL_SENT if is_invitation else EventKind.FOLLOW_UP_SENT,
            occurred_at=now,
            therapist_id=therapist_id,
            outbound_email_id=email.pk,
            recipient=email.to_email,
            context={"step": step, "variant": email.variant, "experiment_id": email.experiment_id},
            delta=StateDelta(
                stage=FunnelStage.INVITED if is_invitation else FunnelStage.NOT_INVITED,
                invited=is_invitation,
                followup=step in (2, 3, 4),
                step_sent=step,
                variant=email.variant,
                experiment_id=email.experiment_id,
            ),
        )
    )
    email.refresh_from_db()
    return email
