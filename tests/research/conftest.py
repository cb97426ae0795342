"""Shared fixtures for the research tests: directory therapists, tokens, and Svix-signed deliveries."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from svix.webhooks import Webhook

from practice.models import Therapist
from research.tokens import survey_token_make

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()  # DRF throttles count in the cache; every test starts with a clean slate


def make_therapist(**fields: Any) -> Therapist:
    n = next(_counter)
    fields.setdefault("email", f"therapist{n}@example.test")
    fields.setdefault("first_name", f"Test{n}")
    fields.setdefault("last_name", "Person")
    fields.setdefault("organisation", f"Practice {n}")
    return Therapist.objects.create(**fields)


@pytest.fixture
def therapist(db: None) -> Therapist:
    return make_therapist()


@pytest.fixture
def token(therapist: Therapist) -> str:
    return survey_token_make(therapist_id=therapist.id, variant="A", experiment_id="EXP-01-subject-intro-v1")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def sign(body: bytes, *, msg_id: str, when: datetime | None = None, secret: str | None = None) -> dict[str, str]:
    """Svix headers for ``body`` made by the real svix library."""
    when = when or datetime.now(tz=UTC)
    signature = Webhook(secret or settings.RESEND_WEBHOOK_SECRET).sign(msg_id, when, body.decode())
    return {"svix-id": msg_id, "svix-timestamp": str(int(when.timestamp())), "svix-signature": signature}


def resend_payload(
    kind: str,
    *,
    email_id: str = "re_msg_1",
    to: str = "therapist@example.test",
    created_at: str = "2026-10-01T10:00:00.000Z",
    **data: Any,
) -> bytes:
    """A payload shaped like Resend's (type, created_at, data.email_id, data.to list, data.tags …)."""
    return json.dumps(
        {
            "type": kind,
            "created_at": created_at,
            "data": {
                "email_id": email_id,
                "from": "Therapair Research <user-research@therapair.com.au>",
                "to": [to],
                "subject": "Help shape a better therapist-matching system",
                "created_at": created_at,
                "tags": {"campaign": "therapist_research"},
                **data,
            },
        }
    ).encode()


@pytest.fixture
def deliver(client: Any) -> Callable[..., Any]:
    """POST a signed delivery to /webhooks/resend/; returns the response."""

    def _deliver(body: bytes, *, msg_id: str, headers: dict[str, str] | None = None) -> Any:
        signed = headers if headers is not None else sign(body, msg_id=msg_id)
        return client.post(
            "/webhooks/resend/", data=body, content_type="application/json", headers={k: v for k, v in signed.items()}
        )

    return _deliver
