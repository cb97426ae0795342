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

from research.models import EventStatus, FunnelStage, SuppressionReason
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


# The therapist's research state, declared once: each column, the value one event contributes to it (SQL over
# the inserted event ``ins``, its attribution ``att`` and the statement's parameters), and how that value
# merges into an existing row. The ``st`` CTE's INSERT column list, its SELECT and its ON CONFLICT rules are
# generated from this table at import; adding a counter is one line here plus the model field.
_MERGE = {
    "max": "GREATEST(s.{c}, EXCLUDED.{c})",  # latest time, highest stage: never goes back
    "min": "LEAST(s.{c}, EXCLUDED.{c})",  # first time something happened
    "keep": "COALESCE(s.{c}, EXCLUDED.{c})",  # set once, then kept
    "keep_text": "CASE WHEN s.{c} = '' THEN EXCLUDED.{c} ELSE s.{c} END",  # the first non-blank value
    "add": "s.{c} + EXCLUDED.{c}",  # a counter
    "bits": "s.{c} | EXCLUDED.{c}",  # a set of sequence steps, one bit each
}
_OPEN = "%(opened)s AND NOT ins.machine_open"
STATE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("stage", "CASE WHEN ins.machine_open THEN 0 ELSE %(stage)s END", "max"),
    ("unsubscribed_at", "CASE WHEN %(unsubscribed)s THEN ins.occurred_at END", "keep"),
    ("bounced_at", "CASE WHEN %(bounced)s THEN ins.occurred_at END", "keep"),
    ("complained_at", "CASE WHEN %(complained)s THEN ins.occurred_at END", "keep"),
    ("invited_at", "CASE WHEN %(invited)s THEN ins.occurred_at END", "min"),
    ("variant", "COALESCE(NULLIF(%(variant)s, ''), att.ob_variant, '')", "keep_text"),
    ("experiment_id", "COALESCE(NULLIF(%(experiment_id)s, ''), att.ob_experiment, '')", "keep_text"),
    ("first_opened_at", f"CASE WHEN {_OPEN} THEN ins.occurred_at END", "min"),
    ("last_opened_at", f"CASE WHEN {_OPEN} THEN ins.occurred_at END", "max"),
    ("opens_count", f"CASE WHEN {_OPEN} THEN 1 ELSE 0 END", "add"),
    ("machine_opens_count", "CASE WHEN ins.machine_open THEN 1 ELSE 0 END", "add"),
    ("first_clicked_at", "CASE WHEN %(clicked)s THEN ins.occurred_at END", "min"),
    ("last_clicked_at", "CASE WHEN %(clicked)s THEN ins.occurred_at END", "max"),
    ("clicks_count", "CASE WHEN %(clicked)s THEN 1 ELSE 0 END", "add"),
    ("survey_completed_at", "CASE WHEN %(completed)s THEN ins.occurred_at END", "min"),
    ("last_sandbox_visit_at", "CASE WHEN %(sandbox)s THEN ins.occurred_at END", "max"),
    ("sandbox_visits_count", "CASE WHEN %(sandbox)s THEN 1 ELSE 0 END", "add"),
    ("last_feedback_at", "CASE WHEN %(feedback)s THEN ins.occurred_at END", "max"),
    ("feedback_count", "CASE WHEN %(feedback)s THEN 1 ELSE 0 END", "add"),
    ("followup_count", "CASE WHEN %(followup)s THEN 1 ELSE 0 END", "add"),
    ("last_followup_at", "CASE WHEN %(followup)s THEN ins.occurred_at END", "max"),
    ("steps_sent", "%(step_bits)s", "bits"),
    ("last_event_at", "ins.occurred_at", "max"),
)


def _state_upsert(columns: tuple[tuple[str, str, str], ...]) -> str:
    names = ", ".join(name for name, _, _ in columns)
    values = ",\n           ".join(value for _, value, _ in columns)
    merges = ",\n        ".join(f"{name} = {_MERGE[rule].format(c=name)}" for name, _, rule in columns)
    return (
        "    INSERT INTO research_therapistresearchstate AS s\n"  # noqa: S608 (STATE_COLUMNS: constants, no input)
        f"        (therapist_id, {names})\n"
        "    SELECT ins.therapist_id,\n"
        f"           {values}\n"
        "      FROM ins CROSS JOIN att\n"
        "     WHERE ins.therapist_id IS NOT NULL\n"
        "    ON CONFLICT (therapist_id) DO UPDATE SET\n"
        f"        {merges}\n"
        "    RETURNING s.therapist_id"
    )


_SQL = """
-- ob: the e-mail this event is about (by id or provider message id, else the latest sent to the recipient)
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
), att AS (  -- att: who it is attributed to, the merged context, and whether an open was a machine's
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
), ins AS (  -- ins: the event itself, once per provider event id (a duplicate stops everything below)
    INSERT INTO research_engagementevent
        (kind, occurred_at, received_at, therapist_id, email, outbound_email_id, context, status, machine_open,
         provider_event_id)
    SELECT %(kind)s, %(occurred_at)s, now(), att.therapist_id, %(recipient)s, att.outbound_id, att.context,
           %(status)s, COALESCE(att.machine_open, FALSE), %(provider_event_id)s::text
      FROM att
     WHERE %(therapist_id)s::uuid IS NULL OR att.therapist_id = %(therapist_id)s::uuid
    ON CONFLICT (provider_event_id) DO NOTHING
    RETURNING id, therapist_id, outbound_email_id, machine_open, occurred_at
), st AS (  -- st: the therapist's state, merged column by column (STATE_COLUMNS)
{state_upsert}
), sup AS (  -- sup: the address on the suppression list (unsubscribe, hard bounce, complaint)
    INSERT INTO research_suppression (email, reason, created_at, note)
    SELECT %(recipient)s, %(suppress)s::text, now(), %(kind)s FROM ins
     WHERE %(suppress)s::text IS NOT NULL AND %(recipient)s::text <> ''
    ON CONFLICT DO NOTHING
    RETURNING id
), obu AS (  -- obu: the e-mail's delivery status, only ever forwards
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
""".replace("{state_upsert}", _state_upsert(STATE_COLUMNS))

# Prepared once per connection: parsing and planning the statement cost more than running it.
_STATEMENT = PreparedStatement(
    "research_event_record",
    _SQL,
    {
        "kind": "text",
        "occurred_at": "timestamptz",
        "context": "jsonb",
        "status": "text",
        "provider_event_id": "text",
        "therapist_id": "uuid",
        "outbound_email_id": "uuid",
        "provider_message_id": "text",
        "recipient": "text",
        "suppress": "text",
        "outbound_status": "text",
        "proxy_ua": "boolean",
        "machine_secs": "double precision",
        "stage": "integer",
        "invited": "boolean",
        "opened": "boolean",
        "clicked": "boolean",
        "completed": "boolean",
        "sandbox": "boolean",
        "feedback": "boolean",
        "followup": "boolean",
        "step_bits": "integer",
        "unsubscribed": "boolean",
        "bounced": "boolean",
        "complained": "boolean",
        "variant": "text",
        "experiment_id": "text",
    },
)


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


__all__ = [
    "STATE_COLUMNS",
    "EventInput",
    "RecordedEvent",
    "StateDelta",
    "SuppressionReason",
    "UnknownParticipant",
    "event_record",
]
