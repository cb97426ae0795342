"""Writes behind the public intake endpoints: survey, feedback, EOI, sandbox visit, unsubscribe.

Each is one short transaction of at most a few statements (issue 7: intake must be cheap). Model
``full_clean`` runs without constraint validation: Django evaluates every CHECK and UNIQUE constraint
with its own query, ~20 per survey row. The constraints stay in PostgreSQL; a violation that gets past the
serializer becomes a ``ValidationError`` (→ 400) here instead of a 500.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower

from practice.models import Therapist
from research.models import (
    EOIAudience,
    EventKind,
    ExpressionOfInterest,
    Feedback,
    FunnelStage,
    ProfileStatus,
    SuppressionReason,
    SurveyResponse,
)
from research.models.options import FeedbackAudience, PageSection
from research.services.events import EventInput, RecordedEvent, StateDelta, UnknownParticipant, event_record
from research.tokens import SurveyClaims
from sanctuary.errors import constraint_name


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def therapist_id_by_email(email: str) -> uuid.UUID | None:
    """The fallback link: case-insensitive, trimmed, through the unique Lower(email) index."""
    address = normalise_email(email)
    if not address:
        return None
    return Therapist.objects.alias(e=Lower("email")).filter(e=address).values_list("id", flat=True).first()


def _integrity_to_validation(exc: IntegrityError) -> ValidationError:
    constraint = constraint_name(exc) or "database"
    return ValidationError({"non_field_errors": [f"Rejected by the database rule {constraint}."]})


@functools.cache
def _survey_upsert_sql(update: tuple[str, ...]) -> str:
    """The upsert for ``_upsert_by_therapist``, built once per set of updated fields from the model's columns."""
    fields = SurveyResponse._meta.concrete_fields
    quote = connection.ops.quote_name
    column = {f.name: quote(f.attname if f.column is None else f.column) for f in fields}
    assignments = ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in update)
    # Quoted column names of the model only; every value is a parameter.
    return (
        f"INSERT INTO {quote(SurveyResponse._meta.db_table)} ({', '.join(column.values())}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT (therapist_id) WHERE therapist_id IS NOT NULL DO UPDATE SET {assignments} "
        "RETURNING id, (xmax <> 0)"
    )


def _upsert_by_therapist(response: SurveyResponse, update: list[str]) -> tuple[uuid.UUID, bool]:
    """``INSERT ... ON CONFLICT (therapist) DO UPDATE`` the submitted columns; returns (id, whether it existed).

    One statement instead of a locked read and a write. The partial unique index on ``therapist`` decides,
    so two first submissions racing each other cannot both insert: the second updates the first's row.
    Values go through each field's ``pre_save``/``get_db_prep_save``, as ``Model.save`` would send them.
    ``xmax`` is 0 for a row this statement inserted and set for one it updated (locked by the update).
    """
    values = [
        f.get_db_prep_save(f.pre_save(response, add=True), connection) for f in SurveyResponse._meta.concrete_fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_survey_upsert_sql(tuple(update)), values)
        pk, existed = cursor.fetchone()
    return pk, existed


def survey_response_submit(
    *,
    claims: SurveyClaims,
    answers: dict[str, Any],
    consent_version: str,
    consented_at: datetime,
    submitted_at: datetime,
    provenance: dict[str, Any],
) -> tuple[SurveyResponse, bool]:
    """Create or update (same token → same therapist → same row) the response, then log completion.

    Two statements in one transaction: the upsert and the completion event (issue 7 keeps intake at a few
    statements). Returns the response as submitted (with the stored row's id) and whether a response
    already existed, so the caller needs no query of its own. Staff-side columns (processing status,
    notes) and answers no longer asked are left as they are on a resubmission.
    """
    submitted = {
        **answers,
        **provenance,
        "consent_version": consent_version,
        "consented_at": consented_at,
        "submitted_at": submitted_at,
    }
    response = SurveyResponse(therapist_id=claims.therapist_id, **submitted)
    response.full_clean(exclude=["therapist"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            response.pk, existed = _upsert_by_therapist(response, [*submitted, "updated_at"])
            response._state.adding = False
            context = {k: v for k, v in provenance.items() if k.startswith("utm_") and v}
            if claims.variant:
                context["variant"] = claims.variant
            if claims.experiment_id:
                context["experiment_id"] = claims.experiment_id
            event_record(
                EventInput(
                    kind=EventKind.SURVEY_COMPLETED,
                    occurred_at=submitted_at,
                    therapist_id=claims.therapist_id,
                    recipient=response.email,
                    context=context,
                    # First completion only: a resubmission updates the answers, not the funnel.
                    provider_event_id=f"survey:{response.pk}",
                    delta=StateDelta(
                        stage=FunnelStage.SURVEY_COMPLETED,
                        completed=True,
                        variant=claims.variant,
                        experiment_id=claims.experiment_id,
                    ),
                )
            )
    except UnknownParticipant as exc:
        raise ValidationError({"token": ["This invitation no longer matches a participant."]}) from exc
    except IntegrityError as exc:
        if constraint_name(exc).endswith("_fk_practice_therapist_id"):
            raise ValidationError({"token": ["This invitation no longer matches a participant."]}) from exc
        raise _integrity_to_validation(exc) from exc
    return response, existed


def audience_for_section(section: str) -> str:
    """Who left feedback, from where (the original labelled homepage feedback "Sandbox")."""
    if section == PageSection.SANDBOX:
        return FeedbackAudience.SANDBOX
    if section == PageSection.SURVEY:
        return FeedbackAudience.SURVEY
    return FeedbackAudience.WEBSITE


def feedback_submit(*, fields: dict[str, Any], claims: SurveyClaims | None, submitted_at: datetime) -> Feedback:
    """Save feedback, linked when known: token → survey session → e-mail (fallback); else anonymous."""
    feedback = Feedback(submitted_at=submitted_at, **fields)
    if not feedback.audience:
        feedback.audience = audience_for_section(feedback.section)
    therapist_id = claims.therapist_id if claims else None
    survey = None
    if feedback.session_id:
        survey = SurveyResponse.objects.filter(session_id=feedback.session_id).values_list("id", "therapist_id").first()
    elif therapist_id:
        survey = SurveyResponse.objects.filter(therapist_id=therapist_id).values_list("id", "therapist_id").first()
    if survey:
        feedback.survey_response_id = survey[0]
        therapist_id = therapist_id or survey[1]
    if therapist_id is None and feedback.email:
        therapist_id = therapist_id_by_email(feedback.email)
    feedback.therapist_id = therapist_id
    feedback.email = normalise_email(feedback.email)
    feedback.full_clean(exclude=["therapist", "survey_response"], validate_unique=False, validate_constraints=False)
    try:
        # Anonymous feedback is one INSERT (autocommit); a transaction only when the event goes with it.
        with transaction.atomic() if therapist_id else contextlib.nullcontext():
            feedback.save(force_insert=True)
            if therapist_id:
                event_record(
                    EventInput(
                        kind=EventKind.FEEDBACK_SUBMITTED,
                        occurred_at=submitted_at,
                        therapist_id=therapist_id,
                        context={
                            "feedback_id": str(feedback.pk),
                            "section": feedback.section,
                            "rating": feedback.rating,
                        },
                        delta=StateDelta(feedback=True),
                    )
                )
    except IntegrityError as exc:
        raise _integrity_to_validation(exc) from exc
    return feedback


def eoi_submit(*, fields: dict[str, Any], submitted_at: datetime) -> ExpressionOfInterest:
    """Save an EOI; therapists start ``pending`` review, other audiences are ``not_applicable``."""
    eoi = ExpressionOfInterest(submitted_at=submitted_at, consented_at=submitted_at, **fields)
    eoi.email = normalise_email(eoi.email)
    eoi.profile_status = (
        ProfileStatus.PENDING if eoi.audience == EOIAudience.THERAPIST else ProfileStatus.NOT_APPLICABLE
    )
    eoi.therapist_id = therapist_id_by_email(eoi.email)
    eoi.full_clean(exclude=["therapist"], validate_unique=False, validate_constraints=False)
    try:
        eoi.save(force_insert=True)
    except IntegrityError as exc:
        raise _integrity_to_validation(exc) from exc
    return eoi


def sandbox_visit_record(
    *,
    claims: SurveyClaims,
    occurred_at: datetime,
    session_id: str,
    page_path: str,
) -> RecordedEvent | None:
    """One statement. A repeated beacon from the same browser session is recorded once."""
    key = f"sandbox:{claims.therapist_id}:{session_id}" if session_id else None
    context = {"page_path": page_path} if page_path else {}
    if session_id:
        context["session_id"] = session_id
    try:
        return event_record(
            EventInput(
                kind=EventKind.SANDBOX_VISITED,
                occurred_at=occurred_at,
                therapist_id=claims.therapist_id,
                provider_event_id=key,
                context=context,
                delta=StateDelta(sandbox=True),
            )
        )
    except UnknownParticipant as exc:
        raise ValidationError({"token": ["This invitation no longer matches a participant."]}) from exc


def research_unsubscribe(*, email: str, occurred_at: datetime, one_click: bool) -> RecordedEvent | None:
    """Suppress the address (any contact: directory therapist, EOI, unknown) and flag the therapist."""
    return event_record(
        EventInput(
            kind=EventKind.UNSUBSCRIBED,
            occurred_at=occurred_at,
            recipient=email,
            context={"method": "one_click" if one_click else "link"},
            suppress=SuppressionReason.UNSUBSCRIBED,
            delta=StateDelta(unsubscribed=True),
        )
    )
