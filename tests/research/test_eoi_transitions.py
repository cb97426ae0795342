"""The EOI profile workflow: every legal and illegal transition, through the services and through raw SQL."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from practice.models import Therapist
from research.models import EOIReviewEvent, ExpressionOfInterest, ProfileStatus, ReviewAction
from research.models.eoi import LEGAL_TRANSITIONS
from research.services import eoi_convert_to_profile, eoi_reject, eoi_reopen, eoi_start_review
from sanctuary.errors import InvalidTransition
from tests.research.eoi_support import make_eoi, make_user, manager, reviewer

pytestmark = pytest.mark.django_db
S = ProfileStatus
ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if a != b]


def _raw_update(eoi: ExpressionOfInterest, to: str, therapist: Therapist | None = None) -> None:
    """Move the row with plain SQL, satisfying the CHECK constraints so only the trigger can object."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE research_expressionofinterest SET profile_status = %s, reviewed_at = %s, review_reason = %s,"
            " therapist_id = COALESCE(%s, therapist_id) WHERE id = %s",
            [to, timezone.now(), "raw reason" if to == S.REJECTED else "", therapist.pk if therapist else None, eoi.pk],
        )


# --- raw SQL: the trigger -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), sorted(LEGAL_TRANSITIONS))
def test_raw_sql_may_make_every_legal_transition(old: str, new: str) -> None:
    eoi = make_eoi(profile_status=old)
    therapist = Therapist.objects.create(email="raw@example.test", first_name="Raw") if new == S.CREATED else None
    _raw_update(eoi, new, therapist)
    eoi.refresh_from_db()
    assert eoi.profile_status == new


ILLEGAL = [pair for pair in ALL_PAIRS if pair not in LEGAL_TRANSITIONS]


@pytest.mark.parametrize(("old", "new"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_raw_sql_cannot_make_any_other_transition(old: str, new: str) -> None:
    eoi = make_eoi(profile_status=old)
    with pytest.raises(IntegrityError, match="may not go from"), transaction.atomic():
        _raw_update(eoi, new)
    eoi.refresh_from_db()
    assert eoi.profile_status == old


def test_illegal_transitions_cover_the_named_examples() -> None:
    assert (S.CREATED, S.PENDING) in ILLEGAL
    assert (S.REJECTED, S.PENDING) in ILLEGAL  # only with its audit row, see below
    assert (S.PENDING, S.CREATED) in ILLEGAL  # conversion always passes through in_progress


def test_a_bulk_update_is_refused_too() -> None:
    eoi = make_eoi(profile_status=S.CREATED)
    with pytest.raises(IntegrityError, match="may not go from created to pending"), transaction.atomic():
        ExpressionOfInterest.objects.filter(pk=eoi.pk).update(profile_status=S.PENDING, reviewed_at=None)


def test_raw_reopen_passes_only_with_a_reopened_audit_row_in_the_same_transaction() -> None:
    eoi = make_eoi(profile_status=S.REJECTED)
    boss = manager()
    insert = (
        "INSERT INTO research_eoireviewevent (eoi_id, action, from_status, to_status, actor_id, source,"
        " reason, diff) VALUES (%s, %s, %s, %s, %s, 'admin', 'second look', '[]')"
    )
    reopen = "UPDATE research_expressionofinterest SET profile_status = 'pending' WHERE id = %s"
    # No audit row at all.
    with pytest.raises(IntegrityError, match="may not go from rejected to pending"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(reopen, [eoi.pk])
    # An audit row of another kind does not open the gate either.
    with pytest.raises(IntegrityError, match="may not go from rejected to pending"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(insert, [eoi.pk, ReviewAction.REJECTED, S.PENDING, S.REJECTED, boss.pk])
            cursor.execute(reopen, [eoi.pk])
    # Nor does a reopen audit row of another EOI.
    other = make_eoi(profile_status=S.REJECTED)
    with pytest.raises(IntegrityError, match="may not go from rejected to pending"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(insert, [other.pk, ReviewAction.REOPENED, S.REJECTED, S.PENDING, boss.pk])
            cursor.execute(reopen, [eoi.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(insert, [eoi.pk, ReviewAction.REOPENED, S.REJECTED, S.PENDING, boss.pk])
        cursor.execute(reopen, [eoi.pk])
    eoi.refresh_from_db()
    assert eoi.profile_status == S.PENDING


@pytest.mark.django_db(transaction=True)
def test_raw_reopen_with_an_earlier_transactions_audit_row_is_refused() -> None:
    eoi = make_eoi(profile_status=S.REJECTED)
    boss = manager()
    # Autocommit: the audit row is committed by its own transaction, the UPDATE runs in the next one.
    EOIReviewEvent.objects.create(
        eoi=eoi,
        action=ReviewAction.REOPENED,
        from_status=S.REJECTED,
        to_status=S.PENDING,
        actor=boss,
        source="admin",
        reason="earlier",
    )
    with pytest.raises(IntegrityError, match="may not go from rejected to pending"):
        _raw_update(eoi, S.PENDING)
    with transaction.atomic():
        EOIReviewEvent.objects.create(
            eoi=eoi,
            action=ReviewAction.REOPENED,
            from_status=S.REJECTED,
            to_status=S.PENDING,
            actor=boss,
            source="admin",
            reason="now",
        )
        _raw_update(eoi, S.PENDING)
    eoi.refresh_from_db()
    assert eoi.profile_status == S.PENDING


def test_the_audit_trail_is_append_only() -> None:
    eoi = make_eoi()
    eoi_start_review(eoi_id=eoi.pk, actor=reviewer(), source="admin")
    event = EOIReviewEvent.objects.get(eoi=eoi)
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        EOIReviewEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        EOIReviewEvent.objects.filter(pk=event.pk).delete()


# --- services -----------------------------------------------------------------------------------------------


def test_start_review_moves_pending_to_in_progress_and_audits_it() -> None:
    rita = reviewer()
    eoi = make_eoi()
    result = eoi_start_review(eoi_id=eoi.pk, actor=rita, source="api")
    assert result.profile_status == S.IN_PROGRESS
    assert result.reviewed_by == rita
    event = EOIReviewEvent.objects.get(eoi=eoi)
    assert (event.action, event.from_status, event.to_status, event.actor, event.source) == (
        ReviewAction.REVIEW_STARTED,
        S.PENDING,
        S.IN_PROGRESS,
        rita,
        "api",
    )
    assert event.occurred_at is not None


@pytest.mark.parametrize("start", [S.PENDING, S.IN_PROGRESS])
def test_reject_from_pending_or_in_progress_needs_a_reason(start: str) -> None:
    rita = reviewer()
    eoi = make_eoi(profile_status=start)
    with pytest.raises(ValidationError) as error:
        eoi_reject(eoi_id=eoi.pk, actor=rita, reason="   ", source="admin")
    assert "reason" in error.value.message_dict
    eoi.refresh_from_db()
    assert eoi.profile_status == start
    rejected = eoi_reject(eoi_id=eoi.pk, actor=rita, reason="Not a registered practitioner", source="admin")
    rejected.refresh_from_db()
    assert (rejected.profile_status, rejected.review_reason) == (S.REJECTED, "Not a registered practitioner")
    assert EOIReviewEvent.objects.filter(eoi=eoi, action=ReviewAction.REJECTED, from_status=start).exists()


@pytest.mark.parametrize("start", [S.PENDING, S.IN_PROGRESS])
def test_convert_from_pending_or_in_progress(start: str) -> None:
    eoi = make_eoi(profile_status=start)
    result = eoi_convert_to_profile(eoi_id=eoi.pk, actor=reviewer(), source="command")
    eoi.refresh_from_db()
    assert eoi.profile_status == S.CREATED
    assert eoi.therapist == result.therapist
    actions = list(EOIReviewEvent.objects.filter(eoi=eoi).order_by("id").values_list("action", flat=True))
    assert actions == ([ReviewAction.REVIEW_STARTED] if start == S.PENDING else []) + [ReviewAction.CREATED]


SERVICE_CALLS = {
    "start": lambda eoi, who: eoi_start_review(eoi_id=eoi.pk, actor=who, source="admin"),
    "convert": lambda eoi, who: eoi_convert_to_profile(eoi_id=eoi.pk, actor=who, source="admin"),
    "reject": lambda eoi, who: eoi_reject(eoi_id=eoi.pk, actor=who, reason="no", source="admin"),
    "reopen": lambda eoi, who: eoi_reopen(eoi_id=eoi.pk, actor=who, reason="again", source="admin"),
}
ALLOWED_FROM = {
    "start": {S.PENDING},
    "convert": {S.PENDING, S.IN_PROGRESS},
    "reject": {S.PENDING, S.IN_PROGRESS},
    "reopen": {S.REJECTED},
}
WRONG_STATE = [(verb, status) for verb in SERVICE_CALLS for status in S.values if status not in ALLOWED_FROM[verb]]


@pytest.mark.parametrize(("verb", "status"), WRONG_STATE, ids=[f"{v}-from-{s}" for v, s in WRONG_STATE])
def test_every_service_refuses_a_wrong_state_with_invalid_transition(verb: str, status: str) -> None:
    eoi = make_eoi(profile_status=status)
    before = EOIReviewEvent.objects.count()
    with pytest.raises(InvalidTransition, match=f"it is {S(status).label.lower()}"):
        SERVICE_CALLS[verb](eoi, manager())
    eoi.refresh_from_db()
    assert eoi.profile_status == status
    assert EOIReviewEvent.objects.count() == before


def test_only_a_manager_may_reopen_and_it_is_audited() -> None:
    eoi = make_eoi(profile_status=S.REJECTED)
    with pytest.raises(PermissionDenied):
        eoi_reopen(eoi_id=eoi.pk, actor=reviewer(), reason="please", source="admin")
    with pytest.raises(ValidationError):
        eoi_reopen(eoi_id=eoi.pk, actor=manager(), reason="", source="admin")
    boss = make_user("root", is_superuser=True, is_staff=True)
    reopened = eoi_reopen(eoi_id=eoi.pk, actor=boss, reason="Applicant sent registration proof", source="admin")
    reopened.refresh_from_db()
    assert reopened.profile_status == S.PENDING
    assert reopened.review_reason == ""
    event = EOIReviewEvent.objects.get(eoi=eoi, action=ReviewAction.REOPENED)
    assert (event.actor, event.reason, event.from_status, event.to_status) == (
        boss,
        "Applicant sent registration proof",
        S.REJECTED,
        S.PENDING,
    )
    # Back in the queue: the normal workflow runs again.
    eoi_convert_to_profile(eoi_id=eoi.pk, actor=manager("mgr2"), source="admin")
    eoi.refresh_from_db()
    assert eoi.profile_status == S.CREATED


def test_people_without_a_review_role_cannot_use_the_workflow() -> None:
    nobody = make_user("charlie")
    eoi = make_eoi()
    for verb in ("start", "convert", "reject"):
        with pytest.raises(PermissionDenied):
            SERVICE_CALLS[verb](eoi, nobody)
    eoi.refresh_from_db()
    assert eoi.profile_status == S.PENDING
