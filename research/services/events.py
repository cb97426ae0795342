"""The engagement log and the per-therapist state, written together in ONE SQL statement per event.

``event_record`` is the single write path for every behaviour (Resend webhooks, survey completion,
feedback, sandbox visits, follow-ups, unsubscribes). One statement with data-modifying CTEs:

1. attribute the event: the ``OutboundEmail`` by provider message id, else the latest one sent to the
   recipient; the therapist from the caller (a signed token), else that e-mail, else by address
   (case-insensitive, trimmed — the fallback only);
2. ``INSERT`` the event ``ON CONFLICT (provider_event_id) DO NOTHING`` — a duplicate delivery stops here,
   every later CTE reads the (empty) insert result, so counters move exactly once;
3. upsert the therapist's state with GREATEST/LEAST/+n/| (no read-modify-write: concurrent events cannot
   lose updates, and a weaker later event never lowers the funnel stage);
4. add the address to the suppression list (unsubscribe, hard bounce, complaint);
5. advance the e-mail's delivery status, never backwards (order: queued < sent < delayed < delivered <
   failed < bounced < complained).

A single statement is atomic on its own, so the webhook needs no explicit transaction (issue 7 budget:
≤ 3 statements per event; this is 1).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from psycopg.types.json import Jsonb

from research.models import EventKind, EventStatus, FunnelStage, OutboundEmail, SuppressionReason
from sanctuary.db import PreparedStatement


@dataclass
class StateDelta:
    """What one event changes on the therapist's research state (all monotonic)."""

    stage: int = FunnelStage.NOT_INVITED
    invited: bool = False
    opened: bool = False  # an open; the SQL drops it to "machine open" when the heuristics say so
    clicked: bool = False
    completed: bool = False
    sandbox: bool = False
    feedback: bool = False
    followup: bool = False
    step_sent: int | None = None
    unsubscribed: bool = False
    bounced: bool = False
    complained: bool = False
    variant: str = ""
    experiment_id: str = ""


@dataclass
class EventInput:
    kind: str
    occurred_at: datetime
    delta: StateDelta = field(default_factory=StateDelta)
    context: dict[str, Any] = field(default_factory=dict)
    status: str = EventStatus.COMPLETED
    provider_event_id: str | None = None
    therapist_id: uuid.UUID | None = None  # from a signed token: wins over any e-mail lookup
    outbound_email_id: uuid.UUID | None = None
    provider_message_id: str | None = None
    recipient: str = ""
    suppress: str | None = None  # SuppressionReason to add for ``recipient``
    outbound_status: str | None = None  # OutboundEmail.Status to advance to
    proxy_user_agent: bool = False  # opened through a known privacy proxy / scanner


_SQL = """
WITH ob AS (
    (SELECT o.id, o.therapist_id, o.step, o.variant, o.experiment_id, COALESCE(o.delivered_at, o.sent_at) AS ref_at
       FROM research_outboundemail o
      WHERE o.id = %(outbound_email_id)s::uuid OR o.provider_message_id = %(provider_message_id)s::text)
    UNION ALL
    (SELECT o.id, o.therapist_id, o.step, o.variant, o.experiment_id, COALESCE(o.delivered_at, o.sent_at)
       FROM research_outboundemail o
      WHERE %(recipient)s::text <> '' AND lower(o.to_email) = %(recipient)s::text
      ORDER BY o.created_at DESC LIMIT 1)
    LIMIT 1
), att AS (
    SELECT ob.id AS outbound_id,
           -- A token's therapist must still exist (FKs are checked only at commit, too late for a clean 400).
           COALESCE((SELECT t.id FROM practice_therapist t WHERE t.id = %(therapist_id)s::uuid), ob.therapist_id,
                    (SELECT t.id FROM practice_therapist t
                      WHERE %(recipient)s::text <> '' AND lower(t.email) = %(recipient)s::text)) AS therapist_id,
           %(context)s::jsonb || jsonb_strip_nulls(jsonb_build_object(
               'step', ob.step, 'variant', NULLIF(ob.variant, ''), 'experiment_id', NULLIF(ob.experiment_id, '')
           )) AS context,
           (%(opened)s AND (%(proxy_ua)s OR (ob.ref_at IS NOT NULL
               AND %(occurred_at)s::timestamptz - ob.ref_at < make_interval(secs => %(machine_secs)s))))
               AS machine_open,
           ob.variant AS ob_variant, ob.experiment_id AS ob_experiment
      FROM (SELECT 1) AS one LEFT JOIN ob ON TRUE
), ins AS (
    INSERT INTO research_engagementevent
        (kind, occurred_at, received_at, therapist_id, email, outbound_email_id, context, status, machine_open,
         provider_event_id)
    SELECT %(kind)s, %(occurred_at)s, now(), att.therapist_id, %(recipient)s, att.outbound_id, att.context,
           %(status)s, COALESCE(att.machine_open, FALSE), %(provider_event_id)s::text
      FROM att
     WHERE %(therapist_id)s::uuid IS NULL OR att.therapist_id = %(therapist_id)s::uuid
    ON CONFLICT (provider_event_id) DO NOTHING
    RETURNING id, therapist_id, outbound_email_id, machine_open, occurred_at
), st AS (
    INSERT INTO research_therapistresearchstate AS s
        (therapist_id, stage, unsubscribed_at, bounced_at, complained_at, invited_at, variant, experiment_id,
         first_opened_at, last_opened_at, opens_count, machine_opens_count, first_clicked_at, last_clicked_at,
         clicks_count, survey_completed_at, last_sandbox_visit_at, sandbox_visits_count, last_feedback_at,
         feedback_count, followup_count, last_followup_at, steps_sent, last_event_at)
    SELECT ins.therapist_id,
           CASE WHEN ins.machine_open THEN 0 ELSE %(stage)s END,
           CASE WHEN %(unsubscribed)s THEN ins.occurred_at END,
           CASE WHEN %(bounced)s THEN ins.occurred_at END,
           CASE WHEN %(complained)s THEN ins.occurred_at END,
           CASE WHEN %(invited)s THEN ins.occurred_at END,
           COALESCE(NULLIF(%(variant)s, ''), att.ob_variant, ''),
           COALESCE(NULLIF(%(experiment_id)s, ''), att.ob_experiment, ''),
           CASE WHEN %(opened)s AND NOT ins.machine_open THEN ins.occurred_at END,
           CASE WHEN %(opened)s AND NOT ins.machine_open THEN ins.occurred_at END,
           CASE WHEN %(opened)s AND NOT ins.machine_open THEN 1 ELSE 0 END,
           CASE WHEN ins.machine_open THEN 1 ELSE 0 END,
           CASE WHEN %(clicked)s THEN ins.occurred_at END,
           CASE WHEN %(clicked)s THEN ins.occurred_at END,
           CASE WHEN %(clicked)s THEN 1 ELSE 0 END,
           CASE WHEN %(completed)s THEN ins.occurred_at END,
           CASE WHEN %(sandbox)s THEN ins.occurred_at END,
           CASE WHEN %(sandbox)s THEN 1 ELSE 0 END,
           CASE WHEN %(feedback)s THEN ins.occurred_at END,
           CASE WHEN %(feedback)s THEN 1 ELSE 0 END,
           CASE WHEN %(followup)s THEN 1 ELSE 0 END,
           CASE WHEN %(followup)s THEN ins.occurred_at END,
           %(step_bits)s,
           ins.occurred_at
      FROM ins CROSS JOIN att
     WHERE ins.therapist_id IS NOT NULL
    ON CONFLICT (therapist_id) DO UPDATE SET
        stage = GREATEST(s.stage, EXCLUDED.stage),
        unsubscribed_at = COALESCE(s.unsubscribed_at, EXCLUDED.unsubscribed_at),
        bounced_at = COALESCE(s.bounced_at, EXCLUDED.bounced_at),
        complained_at = COALESCE(s.complained_at, EXCLUDED.complained_at),
        invited_at = LEAST(s.invited_at, EXCLUDED.invited_at),
        variant = CASE WHEN s.variant = '' THEN EXCLUDED.variant ELSE s.variant END,
        experiment_id = CASE WHEN s.experiment_id = '' THEN EXCLUDED.experiment_id ELSE s.experiment_id END,
        first_opened_at = LEAST(s.first_opened_at, EXCLUDED.first_opened_at),
        last_opened_at = GREATEST(s.last_opened_at, EXCLUDED.last_opened_at),
        opens_count = s.opens_count + EXCLUDED.opens_count,
        machine_opens_count = s.machine_opens_count + EXCLUDED.machine_opens_count,
        first_clicked_at = LEAST(s.first_clicked_at, EXCLUDED.first_clicked_at),
        last_clicked_at = GREATEST(s.last_clicked_at, EXCLUDED.last_clicked_at),
        clicks_count = s.clicks_count + EXCLUDED.clicks_count,
        survey_completed_at = LEAST(s.survey_completed_at, EXCLUDED.survey_completed_at),
        last_sandbox_visit_at = GREATEST(s.last_sandbox_visit_at, EXCLUDED.last_sandbox_visit_at),
        sandbox_visits_count = s.sandbox_visits_count + EXCLUDED.sandbox_visits_count,
        last_feedback_at = GREATEST(s.last_feedback_at, EXCLUDED.last_feedback_at),
        feedback_count = s.feedback_count + EXCLUDED.feedback_count,
        followup_count = s.followup_count + EXCLUDED.followup_count,
        last_followup_at = GREATEST(s.last_followup_at, EXCLUDED.last_followup_at),
        steps_sent = s.steps_sent | EXCLUDED.steps_sent,
        last_event_at = GREATEST(s.last_event_at, EXCLUDED.last_event_at)
    RETURNING s.therapist_id
), sup AS (
    INSERT INTO research_suppression (email, reason, created_at, note)
    SELECT %(recipient)s, %(suppress)s::text, now(), %(kind)s FROM ins
     WHERE %(suppress)s::text IS NOT NULL AND %(recipient)s::text <> ''
    ON CONFLICT DO NOTHING
    RETURNING id
), obu AS (
    UPDATE research_outboundemail o
       SET status = CASE WHEN array_position('{queued,sent,delayed,delivered,failed,bounced,complained}'::text[],
                                             %(outbound_status)s::text)
                              > array_position('{queued,sent,delayed,delivered,failed,bounced,complained}'::text[],
                                               o.status::text)
                         THEN %(outbound_status)s::text ELSE o.status END,
           delivered_at = CASE WHEN %(outbound_status)s::text = 'delivered'
                               THEN COALESCE(o.delivered_at, ins.occurred_at) ELSE o.delivered_at END,
           updated_at = now()
      FROM ins
     WHERE o.id = ins.outbound_email_id AND %(outbound_status)s::text IS NOT NULL
    RETURNING o.id
)
SELECT ins.id, ins.therapist_id, ins.machine_open, att.therapist_id IS NOT NULL,
       (SELECT count(*) FROM st), (SELECT count(*) FROM sup), (SELECT count(*) FROM obu)
  FROM att LEFT JOIN ins ON TRUE
"""

# Prepared once per connection: parsing and planning the statement cost more than running it.
_STATEMENT = PreparedStatement("research_event_record", _SQL, {
    "kind": "text", "occurred_at": "timestamptz", "context": "jsonb", "status": "text",
    "provider_event_id": "text", "therapist_id": "uuid", "outbound_email_id": "uuid",
    "provider_message_id": "text", "recipient": "text", "suppress": "text", "outbound_status": "text",
    "proxy_ua": "boolean", "machine_secs": "double precision", "stage": "integer", "invited": "boolean",
    "opened": "boolean", "clicked": "boolean", "completed": "boolean", "sandbox": "boolean",
    "feedback": "boolean", "followup": "boolean", "step_bits": "integer", "unsubscribed": "boolean",
    "bounced": "boolean", "complained": "boolean", "variant": "text", "experiment_id": "text",
})


@dataclass(frozen=True)
class RecordedEvent:
    id: int
    therapist_id: uuid.UUID | None
    machine_open: bool


class UnknownParticipant(LookupError):
    """The therapist named by a signed token no longer exists; nothing was written."""


def event_record(event: EventInput) -> RecordedEvent | None:
    """Append the event and apply it; ``None`` when ``provider_event_id`` was already recorded.

    Raises ``UnknownParticipant`` (and writes nothing) when ``therapist_id`` names no therapist.
    """
    delta = event.delta
    step_bits = (1 << delta.step_sent) if delta.step_sent else 0
    params = {
        "kind": event.kind,
        "occurred_at": event.occurred_at,
        "context": Jsonb(event.context),
        "status": event.status,
        "provider_event_id": event.provider_event_id,
        "therapist_id": event.therapist_id,
        "outbound_email_id": event.outbound_email_id,
        "provider_message_id": event.provider_message_id,
        "recipient": event.recipient.strip().lower(),
        "suppress": event.suppress,
        "outbound_status": event.outbound_status,
        "proxy_ua": event.proxy_user_agent,
        "machine_secs": settings.RESEARCH_MACHINE_OPEN_SECONDS,
        "stage": int(delta.stage),
        "invited": delta.invited,
        "opened": delta.opened,
        "clicked": delta.clicked,
        "completed": delta.completed,
        "sandbox": delta.sandbox,
        "feedback": delta.feedback,
        "followup": delta.followup,
        "step_bits": step_bits,
        "unsubscribed": delta.unsubscribed,
        "bounced": delta.bounced,
        "complained": delta.complained,
        "variant": delta.variant,
        "experiment_id": delta.experiment_id,
    }
    row = _STATEMENT.fetchone(params)
    assert row is not None  # the final SELECT reads from "att", which always has one row
    if event.therapist_id is not None and not row[3]:
        raise UnknownParticipant(str(event.therapist_id))
    if row[0] is None:
        return None
    return RecordedEvent(id=row[0], therapist_id=row[1], machine_open=bool(row[2]))


# Resend event type → (our kind, funnel stage it proves, delivery status it implies).
RESEND_TYPES: dict[str, tuple[str, int, str | None]] = {
    "email.sent": (EventKind.EMAIL_SENT, FunnelStage.INVITED, OutboundEmail.Status.SENT),
    "email.delivered": (EventKind.EMAIL_DELIVERED, FunnelStage.INVITED, OutboundEmail.Status.DELIVERED),
    "email.delivery_delayed": (EventKind.EMAIL_DELAYED, FunnelStage.NOT_INVITED, OutboundEmail.Status.DELAYED),
    "email.opened": (EventKind.EMAIL_OPENED, FunnelStage.OPENED, None),
    "email.clicked": (EventKind.EMAIL_CLICKED, FunnelStage.CLICKED, None),
    "email.bounced": (EventKind.EMAIL_BOUNCED, FunnelStage.NOT_INVITED, OutboundEmail.Status.BOUNCED),
    "email.complained": (EventKind.EMAIL_COMPLAINED, FunnelStage.NOT_INVITED, OutboundEmail.Status.COMPLAINED),
    "email.failed": (EventKind.EMAIL_FAILED, FunnelStage.NOT_INVITED, OutboundEmail.Status.FAILED),
}

__all__ = ["RESEND_TYPES", "EventInput", "RecordedEvent", "StateDelta", "SuppressionReason", "UnknownParticipant",
           "event_record"]
