"""The EOI → therapist profile workflow (issue 5): start review, convert (create or merge), reject, reopen.

States ``pending → in_progress → created | rejected`` (``not_applicable`` for other audiences never moves).
The rules are enforced here (clear ``InvalidTransition`` → HTTP 409) and again by the
``profile_status_transition`` trigger on the EOI table, which also refuses raw SQL. A reopen
(``rejected → pending``) passes the trigger only next to its own ``reopened`` audit row in the same
transaction; who may reopen (a manager) is decided here.

Each service is keyword-only, runs in one transaction, locks the EOI row first (two staff converting the same
EOI: the second waits, then sees ``created`` and gets ``InvalidTransition``), writes an ``EOIReviewEvent``
audit row and tags every history row it writes (EOI, therapist) with a pghistory context.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pghistory
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from practice.models import Therapist
from practice.services import validate
from research.eoi_mapping import NEW_PROFILE_FIXED, Change, PlannedField, conversion_plan
from research.models import (
    EOIReviewEvent,
    ExpressionOfInterest,
    ProfileStatus,
    ReviewAction,
    ReviewSource,
)
from research.models.eoi import LEGAL_TRANSITIONS
from sanctuary import roles
from sanctuary.errors import InvalidTransition

type Actor = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class ConversionResult:
    eoi: ExpressionOfInterest
    therapist: Therapist
    created: bool
    plan: list[PlannedField]
    event: EOIReviewEvent

    @property
    def changed_fields(self) -> list[str]:
        return [f.therapist_field for f in self.plan if f.writes]


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"You may not {what}.")


# --- plumbing -----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _acting(*, actor: Actor, action: str, source: str, eoi_id: Any) -> Iterator[None]:
    """One transaction whose history rows say who did it, through what, and for which EOI."""
    with (
        transaction.atomic(),
        pghistory.context(
            user=actor.pk,
            eoi=str(eoi_id),
            eoi_action=action,
            source=source,
        ),
    ):
        yield


def _locked(eoi_id: Any) -> ExpressionOfInterest:
    try:
        return ExpressionOfInterest.objects.select_for_update(no_key=True).get(pk=eoi_id)
    except (ExpressionOfInterest.DoesNotExist, ValidationError, ValueError) as exc:
        raise ExpressionOfInterest.DoesNotExist(f"No expression of interest with id {eoi_id}.") from exc


def _require_status(eoi: ExpressionOfInterest, *allowed: str, verb: str) -> None:
    if eoi.profile_status not in allowed:
        raise InvalidTransition(
            f"Cannot {verb} this EOI: it is {eoi.get_profile_status_display().lower()}"
            f" (needs {' or '.join(ProfileStatus(s).label.lower() for s in allowed)}).",
            code="invalid_transition",
        )


def _move(
    eoi: ExpressionOfInterest,
    *,
    to: str,
    action: str,
    actor: Actor,
    source: str,
    reason: str = "",
    therapist: Therapist | None = None,
    diff: list[dict[str, Any]] | None = None,
) -> EOIReviewEvent:
    """Audit row first (the trigger looks for it on a reopen), then the status change."""
    old = eoi.profile_status
    assert (old, to) in LEGAL_TRANSITIONS or action == ReviewAction.REOPENED, (old, to)
    user = cast(User, actor)  # the callers' _require() let only authenticated reviewers through
    event = EOIReviewEvent(
        eoi=eoi,
        action=action,
        from_status=old,
        to_status=to,
        actor=user,
        source=source,
        reason=reason,
        therapist=therapist,
        diff=diff or [],
    )
    event.full_clean(exclude=["txid", "occurred_at"], validate_constraints=False)
    event.save()
    eoi.profile_status = to
    eoi.reviewed_by = user
    eoi.reviewed_at = timezone.now()
    if therapist is not None:
        eoi.therapist = therapist
    # Only a rejection carries its reason on the EOI; every reason stays in the audit trail.
    eoi.review_reason = reason if to == ProfileStatus.REJECTED else ""
    validate(eoi)
    eoi.save()
    return event


def _source(source: str) -> str:
    if source not in ReviewSource.values:
        raise ValueError(f"unknown review source {source!r}")
    return source


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["A reason is required."]})
    return reason


# --- the services -------------------------------------------------------------------------------------------


def eoi_start_review(*, eoi_id: uuid.UUID | str, actor: Actor, source: str) -> ExpressionOfInterest:
    """pending → in_progress: a reviewer claims the EOI."""
    _require(roles.may_review_eois(actor), "review expressions of interest")
    with _acting(actor=actor, action="start_review", source=_source(source), eoi_id=eoi_id):
        eoi = _locked(eoi_id)
        _require_status(eoi, ProfileStatus.PENDING, verb="start reviewing")
        _move(eoi, to=ProfileStatus.IN_PROGRESS, action=ReviewAction.REVIEW_STARTED, actor=actor, source=source)
    return eoi


def _therapist_for_email(email: str) -> Therapist | None:
    # Serialises conversions of different EOIs with the same address (two EOIs, one person): the second
    # waits here and then merges into the profile the first created instead of hitting the unique index.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 5))", [f"eoi-profile:{email}"])
    return Therapist.objects.select_for_update(no_key=True).alias(e=Lower("email")).filter(e=email).first()


def eoi_convert_to_profile(*, eoi_id: uuid.UUID | str, actor: Actor, source: str) -> ConversionResult:
    """Create a profile from the EOI, or merge it into the therapist with the same e-mail.

    A pending EOI passes through in_progress in the same transaction (both steps audited), so the command can
    convert in one go while the trigger still only ever sees legal steps.
    """
    _require(roles.may_review_eois(actor), "convert expressions of interest")
    with _acting(actor=actor, action="convert", source=_source(source), eoi_id=eoi_id):
        eoi = _locked(eoi_id)
        _require_status(eoi, ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS, verb="convert")
        if eoi.profile_status == ProfileStatus.PENDING:
            _move(eoi, to=ProfileStatus.IN_PROGRESS, action=ReviewAction.REVIEW_STARTED, actor=actor, source=source)
        email = eoi.email.strip().lower()
        existing = _therapist_for_email(email)
        plan = conversion_plan(eoi, existing)
        if existing is None:
            therapist = Therapist(**NEW_PROFILE_FIXED)
            for field in plan:
                if field.change == Change.SET:
                    setattr(therapist, field.therapist_field, field.proposed)
        else:
            therapist = existing
            for field in plan:
                if field.change in (Change.FILL, Change.EXTEND):
                    setattr(therapist, field.therapist_field, field.proposed)
        if existing is None or any(f.writes for f in plan):
            validate(therapist)
            therapist.save()
        diff = [field.as_dict() for field in plan]
        event = _move(
            eoi,
            to=ProfileStatus.CREATED,
            action=ReviewAction.CREATED if existing is None else ReviewAction.MERGED,
            actor=actor,
            source=source,
            therapist=therapist,
            diff=diff,
        )
    return ConversionResult(eoi=eoi, therapist=therapist, created=existing is None, plan=plan, event=event)


def eoi_reject(*, eoi_id: uuid.UUID | str, actor: Actor, reason: str, source: str) -> ExpressionOfInterest:
    """pending | in_progress → rejected, with a reason."""
    _require(roles.may_review_eois(actor), "reject expressions of interest")
    reason = _reason(reason)
    with _acting(actor=actor, action="reject", source=_source(source), eoi_id=eoi_id):
        eoi = _locked(eoi_id)
        _require_status(eoi, ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS, verb="reject")
        _move(eoi, to=ProfileStatus.REJECTED, action=ReviewAction.REJECTED, actor=actor, source=source, reason=reason)
    return eoi


def eoi_reopen(*, eoi_id: uuid.UUID | str, actor: Actor, reason: str, source: str) -> ExpressionOfInterest:
    """rejected → pending, by a manager only, audited (the trigger accepts it only with the audit row)."""
    _require(roles.may_reopen_eois(actor), "reopen a rejected EOI (managers only)")
    reason = _reason(reason)
    with _acting(actor=actor, action="reopen", source=_source(source), eoi_id=eoi_id):
        eoi = _locked(eoi_id)
        _require_status(eoi, ProfileStatus.REJECTED, verb="reopen")
        _move(eoi, to=ProfileStatus.PENDING, action=ReviewAction.REOPENED, actor=actor, source=source, reason=reason)
    return eoi
