"""Turning a verified Resend webhook delivery into one engagement event (seed facts B.12, B.13)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from research.models import EventKind, FunnelStage, OutboundEmail, SuppressionReason
from research.services.events import EventInput, RecordedEvent, StateDelta, event_record

# Opens fetched by privacy proxies or scanners rather than people: Apple Mail Privacy Protection
# (a bare "Mozilla/5.0"), Gmail/Yahoo image proxies, and common link/security scanners.
_MACHINE_USER_AGENT = re.compile(
    r"^Mozilla/5\.0$|GoogleImageProxy|ggpht\.com|YahooMailProxy|Barracuda|Mimecast|Proofpoint|bot\b|crawler",
    re.IGNORECASE,
)
_CONTEXT_QUERY_KEYS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "utm_variant",
    "utm_experiment",
)


class MalformedPayload(ValueError):
    """The body verified but is not a Resend event we can read."""


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


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = parse_datetime(value.replace(" ", "T", 1)) if value else None
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested object of the payload (``open``, ``click``, ``bounce``), or ``{}`` when absent or malformed."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _tags(data: dict[str, Any]) -> dict[str, str]:
    """Resend sends tags as an object; older payloads as a list of {name, value}."""
    tags = data.get("tags")
    if isinstance(tags, dict):
        return {str(k)[:50]: str(v)[:100] for k, v in tags.items()}
    if isinstance(tags, list):
        return {str(t.get("name"))[:50]: str(t.get("value"))[:100] for t in tags if isinstance(t, dict)}
    return {}


def is_machine_user_agent(user_agent: str) -> bool:
    return bool(user_agent) and bool(_MACHINE_USER_AGENT.search(user_agent.strip()))


def resend_event_parse(*, svix_id: str, payload: object) -> EventInput:
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise MalformedPayload("Not a Resend event.")
    data = payload.get("data")
    data = data if isinstance(data, dict) else {}
    event_type = payload["type"]
    occurred_at = _parse_time(payload.get("created_at")) or _parse_time(data.get("created_at")) or timezone.now()
    to = data.get("to")
    recipient = (to[0] if isinstance(to, list) and to else to) if to else ""
    recipient = recipient if isinstance(recipient, str) and "@" in recipient and len(recipient) <= 255 else ""
    message_id = data.get("email_id") if isinstance(data.get("email_id"), str) else None
    context: dict[str, Any] = {"provider": "resend", "type": event_type[:60]}
    tags = _tags(data)
    if tags:
        context["tags"] = tags

    known = RESEND_TYPES.get(event_type)
    if known is None:
        # Unknown or non-e-mail types (contact.*, domain.*, email.scheduled …) are kept, marked ignored.
        return EventInput(
            kind=EventKind.IGNORED,
            occurred_at=occurred_at,
            context=context,
            provider_event_id=svix_id,
            provider_message_id=message_id,
            recipient=recipient,
        )
    kind, stage, outbound_status = known
    delta = StateDelta(stage=stage, variant=tags.get("variant", "")[:1] if tags.get("variant") in ("A", "B") else "")
    proxy = False
    suppress = None
    if kind == EventKind.EMAIL_OPENED:
        user_agent = str(_section(data, "open").get("userAgent", ""))
        proxy = is_machine_user_agent(user_agent)
        delta.opened = True
    elif kind == EventKind.EMAIL_CLICKED:
        click = _section(data, "click")
        link = str(click.get("link", ""))[:500]
        context["clicked_url"] = link
        query = dict(parse_qsl(urlsplit(link).query))
        context.update({key: query[key][:100] for key in _CONTEXT_QUERY_KEYS if key in query})
        if "/unsubscribe" in urlsplit(link).path:
            # Following the opt-out link is not interest in the survey.
            delta.stage = FunnelStage.NOT_INVITED
        else:
            delta.clicked = True
    elif kind == EventKind.EMAIL_BOUNCED:
        bounce = _section(data, "bounce")
        context["bounce_type"] = str(bounce.get("type", ""))[:40]
        # Only permanent bounces suppress; transient ones are retried by the provider.
        if str(bounce.get("type", "Permanent")).lower() != "transient":
            delta.bounced = True
            suppress = SuppressionReason.HARD_BOUNCE
    elif kind == EventKind.EMAIL_COMPLAINED:
        delta.complained = True
        suppress = SuppressionReason.COMPLAINT
    return EventInput(
        kind=kind,
        occurred_at=occurred_at,
        delta=delta,
        context=context,
        provider_event_id=svix_id,
        provider_message_id=message_id,
        recipient=recipient,
        suppress=suppress,
        outbound_status=outbound_status,
        proxy_user_agent=proxy,
    )


def resend_event_ingest(*, svix_id: str, payload: object) -> tuple[str, RecordedEvent | None]:
    """Store a verified delivery under its svix-id; ``("duplicate", None)`` when seen before."""
    event = resend_event_parse(svix_id=svix_id, payload=payload)
    recorded = event_record(event)
    if recorded is None:
        return "duplicate", None
    return ("ignored" if event.kind == EventKind.IGNORED else "stored"), recorded
