"""The B.14 sequence: who gets which follow-up when, never twice, never to suppressed addresses."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from research.models import EngagementEvent, FunnelStage, OutboundEmail, Suppression, TherapistResearchState
from research.selectors import followups_due
from research.services import followup_send
from tests.research.conftest import make_therapist

INVITED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
S = FunnelStage

# (stage, days since invitation, steps already sent, flags) → step due (None = nothing)
RULES = [
    ("non-opener before day 3", S.INVITED, 2, {1}, {}, None),
    ("non-opener at day 3 → follow-up 1", S.INVITED, 3, {1}, {}, 2),
    ("non-opener after follow-up 1 → nothing more", S.INVITED, 10, {1, 2}, {}, None),
    ("opener before day 7", S.OPENED, 6, {1}, {}, None),
    ("opener without click at day 7 → follow-up 2", S.OPENED, 7, {1}, {}, 3),
    ("opener who already had follow-up 1 → follow-up 2", S.OPENED, 8, {1, 2}, {}, 3),
    ("clicker before day 14", S.CLICKED, 13, {1}, {}, None),
    ("clicker not completed at day 14 → follow-up 3", S.CLICKED, 14, {1, 3}, {}, 4),
    ("completed → thank-you at once", S.SURVEY_COMPLETED, 0, {1}, {}, 5),
    ("completed and thanked → nothing", S.SURVEY_COMPLETED, 30, {1, 5}, {}, None),
    ("unsubscribed → nothing", S.INVITED, 30, {1}, {"unsubscribed_at": INVITED}, None),
    ("bounced → nothing", S.OPENED, 30, {1}, {"bounced_at": INVITED}, None),
    ("complained → nothing", S.CLICKED, 30, {1}, {"complained_at": INVITED}, None),
    ("unsubscribed completer gets no thank-you", S.SURVEY_COMPLETED, 1, {1}, {"unsubscribed_at": INVITED}, None),
    ("not invited → nothing", S.NOT_INVITED, 30, set(), {}, None),
]


def _state(stage: int, steps: set[int], **flags: object) -> TherapistResearchState:
    therapist = make_therapist()
    return TherapistResearchState.objects.create(
        therapist=therapist,
        stage=stage,
        invited_at=INVITED if stage else None,
        survey_completed_at=INVITED if stage == S.SURVEY_COMPLETED else None,
        steps_sent=sum(1 << step for step in steps),
        **flags,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "stage", "days", "sent", "flags", "expected"), RULES, ids=[r[0] for r in RULES])
def test_the_sequence_rules(
    case: str,
    stage: int,
    days: int,
    sent: set[int],
    flags: dict,
    expected: int | None,  # type: ignore[type-arg]
) -> None:
    state = _state(stage, sent, **flags)
    now = INVITED + timedelta(days=days, minutes=1)
    due = [(d.therapist_id, d.step) for d in followups_due(now=now)]
    assert due == ([(state.therapist_id, expected)] if expected else [])
    action = state.next_action()
    assert action.is_due(now) is (expected is not None)


@pytest.mark.django_db
def test_an_address_on_the_suppression_list_gets_nothing_even_without_a_flag() -> None:
    state = _state(S.INVITED, {1})
    Suppression.objects.create(email=state.therapist.email.upper(), reason="unsubscribed")
    assert followups_due(now=INVITED + timedelta(days=5)) == []
    assert followup_send(therapist_id=state.therapist_id, step=2, now=INVITED + timedelta(days=5)) is None
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_sending_records_the_email_an_event_and_the_follow_up_counters() -> None:
    state = _state(S.INVITED, {1})
    now = INVITED + timedelta(days=3, hours=1)
    email = followup_send(therapist_id=state.therapist_id, step=2, now=now)
    assert email is not None and email.status == "sent" and email.sent_at == now
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [state.therapist.email] and message.subject.startswith("Quick reminder")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/research/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert state.therapist.email not in message.body.split("Unsubscribe:")[1]  # address only inside the token
    assert message.tags == ["therapist_research", "step-2"]
    assert message.metadata["therapist_id"] == str(state.therapist_id)
    event = EngagementEvent.objects.get()
    assert (event.kind, event.outbound_email_id) == ("follow_up_sent", email.pk)
    state.refresh_from_db()
    assert (state.followup_count, state.last_followup_at, state.has_sent(2)) == (1, now, True)
    assert state.next_action().step is None  # non-opener after follow-up 1: nothing more
    assert followup_send(therapist_id=state.therapist_id, step=2, now=now) is None  # never twice


@pytest.mark.django_db
def test_an_invitation_starts_the_funnel_and_picks_an_ab_arm() -> None:
    therapist = make_therapist()
    email = followup_send(therapist_id=therapist.id, step=1, now=INVITED)
    assert email is not None and email.variant in ("A", "B") and email.experiment_id == "EXP-01-subject-intro-v1"
    state = TherapistResearchState.objects.get(therapist=therapist)
    assert (state.stage, state.invited_at, state.variant) == (S.INVITED, INVITED, email.variant)
    assert state.followup_count == 0  # the invitation is not a follow-up


@pytest.mark.django_db
def test_a_failed_send_is_recorded_and_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    state = _state(S.OPENED, {1})

    def boom(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("provider down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", boom)
    email = followup_send(therapist_id=state.therapist_id, step=3, now=INVITED + timedelta(days=8))
    assert email is not None and email.status == "failed"
    assert EngagementEvent.objects.get().status == "failed"


@pytest.mark.django_db
def test_the_command_is_a_dry_run_unless_told_to_send() -> None:
    _state(S.INVITED, {1})
    out = StringIO()
    call_command("send_due_followups", "--now", "2026-10-05T00:00:00Z", stdout=out)
    assert "dry run: 1 due" in out.getvalue()
    assert not OutboundEmail.objects.exists() and not mail.outbox
    call_command("send_due_followups", "--now", "2026-10-05T00:00:00Z", "--send", stdout=out)
    assert "sent 1" in out.getvalue() and len(mail.outbox) == 1
    call_command("send_due_followups", "--now", "2026-10-05T00:00:00Z", "--send", stdout=out)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_send_each_step_at_most_once() -> None:
    states = [_state(S.OPENED, {1}) for _ in range(4)]
    now = INVITED + timedelta(days=8)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            call_command("send_due_followups", "--now", now.isoformat(), "--send", stdout=StringIO())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert OutboundEmail.objects.count() == 4
    assert sorted(OutboundEmail.objects.values_list("step", flat=True)) == [3, 3, 3, 3]
    assert len(mail.outbox) == 4
    for state in states:
        state.refresh_from_db()
        assert state.followup_count == 1
