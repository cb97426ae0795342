"""The paths that skip pghistory's request context write no history-tracked table (sanctuary/middleware.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pghistory.models
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from research.models import EngagementEvent, SurveyResponse
from research.services.events import _STATEMENT as _EVENT
from tests.research.conftest import resend_payload, sign
from tests.research.test_intake import FEEDBACK, SANDBOX, SURVEY, survey_body

pytestmark = pytest.mark.django_db

TRACKED = {
    m.pgh_tracked_model._meta.db_table
    for m in apps.get_models()
    if issubclass(m, pghistory.models.Event) and getattr(m, "pgh_tracked_model", None)
}
WRITE = re.compile(r'(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _written_tables(send: Any) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert response.status_code < 300, response.content
    # The event write is EXECUTEd by name: read the tables from the statement it prepared.
    statements = [_EVENT.prepare_sql if q["sql"].startswith(f"EXECUTE {_EVENT.name} ") else q["sql"] for q in queries]
    return {table for sql in statements for table in WRITE.findall(sql)}


def test_the_tracked_tables_are_the_clinical_ones_and_the_eoi() -> None:
    assert {"practice_patient", "practice_therapist", "research_expressionofinterest"} <= TRACKED


def test_every_exempt_path_writes_only_untracked_tables(api, therapist, token) -> None:  # type: ignore[no-untyped-def]
    webhook = resend_payload("email.opened", to=therapist.email)
    requests = {
        SURVEY: lambda: api.post(SURVEY, json.dumps(survey_body(token)), content_type="application/json"),
        FEEDBACK: lambda: api.post(
            FEEDBACK, json.dumps({"rating": 4, "token": token}), content_type="application/json"
        ),
        SANDBOX: lambda: api.post(
            SANDBOX, json.dumps({"token": token, "session_id": "s1"}), content_type="application/json"
        ),
        "/webhooks/resend/": lambda: api.post(
            "/webhooks/resend/", webhook, content_type="application/json", headers=sign(webhook, msg_id="msg_exempt")
        ),
    }
    assert set(requests) == set(settings.HISTORY_CONTEXT_EXEMPT_PATHS)  # a new exempt path needs a case here
    for path, send in requests.items():
        written = _written_tables(send)
        assert written, path
        assert not written & TRACKED, (path, written & TRACKED)
    assert SurveyResponse.objects.count() == 1 and EngagementEvent.objects.count() >= 3
