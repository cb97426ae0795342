"""Pre-generated request bodies: Resend/Svix webhook events (unique ids, ~10 % replays) and intake forms.

Generated before a measurement starts (never timed), one fresh list per round, so unique ids stay unique
across rounds. Signatures use the ``svix`` library (already installed with django-anymail[resend]), the
same scheme the real webhook verifies; timestamps are "now", well inside Svix's five-minute tolerance.
"""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime

from bench.lib.load import Request, json_request
from bench.lib.tables import email_id

# A fixed, obviously fake signing secret for benchmarks; a webhook scenario configures the app with it.
BENCH_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"sanctuary-bench-only-webhook-key").decode()
EVENT_TYPES = ("email.sent", "email.delivered", "email.opened", "email.clicked", "email.delivered")


def resend_event(svix_id: str, k: int, kind: str) -> str:
    """A Resend-shaped tracking event body (synthetic recipient)."""
    now = datetime.now(UTC).isoformat()
    return json.dumps(
        {
            "type": kind,
            "created_at": now,
            "data": {
                "email_id": email_id(k),
                "created_at": now,
                "from": "Research <research@example.org>",
                "to": [f"therapist{k % 5000}@example.org"],
                "subject": "A few questions about your practice",
                "tags": {"sequence_step": "1", "variant": "a", "svix": svix_id[-6:]},
            },
        },
        separators=(",", ":"),
    )


def webhook_requests(
    count: int,
    *,
    path: str,
    run_id: str,
    secret: str = BENCH_WEBHOOK_SECRET,
    replay_fraction: float = 0.1,
    seed: int = 7,
) -> list[Request]:
    """``count`` signed deliveries; about ``replay_fraction`` of them repeat an earlier delivery byte for byte."""
    from svix.webhooks import Webhook

    signer = Webhook(secret)
    rng = random.Random(seed)
    sent: list[Request] = []
    timestamp = datetime.now(UTC)
    for i in range(count):
        if sent and rng.random() < replay_fraction:
            sent.append(sent[rng.randrange(len(sent))])
            continue
        svix_id = f"msg_{run_id}_{i:07d}"
        body = resend_event(svix_id, rng.randrange(10**6), EVENT_TYPES[i % len(EVENT_TYPES)])
        headers = (
            ("Content-Type", "application/json"),
            ("svix-id", svix_id),
            ("svix-timestamp", str(int(timestamp.timestamp()))),
            ("svix-signature", signer.sign(svix_id, timestamp, body)),
        )
        sent.append(Request("POST", path, headers, body.encode()))
    return sent


def intake_requests(count: int, *, path: str, seed: int = 11) -> list[Request]:
    """Feedback/EOI-like JSON forms (synthetic people), one distinct body per request."""
    rng = random.Random(seed)
    audiences = ("therapist", "individual", "organisation", "other")
    return [
        json_request(
            path,
            {
                "email": f"person{i}@example.org",
                "audience": audiences[i % len(audiences)],
                "rating": rng.randint(1, 5),
                "comment": "The matching questions were clear; the pricing page less so.",
                "page_url": "https://example.org/sandbox",
                "session_id": f"s{rng.randrange(10**9)}",
            },
        )
        for i in range(count)
    ]
