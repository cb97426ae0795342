"""32 concurrent deliveries of the same Resend event against a real server: one row, counters moved once."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

from research.models import EngagementEvent, FunnelStage, TherapistResearchState
from tests.research.conftest import make_therapist, resend_payload, sign

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# The live server's listen backlog is socketserver's default of 5: 32 simultaneous connects would be reset
# by the kernel before reaching Django. A real deployment (gunicorn) uses a backlog of 2048.
ThreadedWSGIServer.request_queue_size = 128


def test_32_concurrent_duplicate_deliveries_store_one_event_and_count_once(live_server) -> None:  # type: ignore[no-untyped-def]
    therapist = make_therapist()
    TherapistResearchState.objects.create(therapist=therapist, stage=FunnelStage.INVITED)
    body = resend_payload(
        "email.clicked", to=therapist.email, click={"link": "https://therapair.com.au/research/survey/"}
    )
    headers = {**sign(body, msg_id="msg_concurrent"), "Content-Type": "application/json"}
    url = f"{live_server.url}/webhooks/resend/"

    def post(_: int) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return int(response.status)

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(post, range(32)))

    assert all(200 <= status < 300 for status in statuses), statuses
    assert EngagementEvent.objects.filter(provider_event_id="msg_concurrent").count() == 1
    state = TherapistResearchState.objects.get(therapist=therapist)
    assert (state.stage, state.clicks_count) == (FunnelStage.CLICKED, 1)


def test_concurrent_distinct_events_lose_no_updates(live_server) -> None:  # type: ignore[no-untyped-def]
    therapist = make_therapist()
    url = f"{live_server.url}/webhooks/resend/"

    def post(n: int) -> int:
        body = resend_payload("email.opened", to=therapist.email, open={"userAgent": "Thunderbird"})
        headers = {**sign(body, msg_id=f"msg_distinct_{n}"), "Content-Type": "application/json"}
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(post, range(24))) == {200}
    state = TherapistResearchState.objects.get(therapist=therapist)  # created by the first event, raced by the rest
    assert state.opens_count == 24
    assert state.stage == FunnelStage.OPENED


def test_racing_first_survey_submissions_make_one_response_and_one_completion(live_server) -> None:  # type: ignore[no-untyped-def]
    """The upsert's unique index decides the race: one insert, the rest update it; one completion event."""
    import json

    from research.models import EventKind, SurveyResponse
    from research.tokens import survey_token_make
    from tests.research.test_intake import SURVEY, survey_body

    therapist = make_therapist()
    url = f"{live_server.url}{SURVEY}"

    def post(n: int) -> tuple[int, dict]:
        body = json.dumps(survey_body(survey_token_make(therapist_id=therapist.pk), comments=f"Take {n}.")).encode()
        request = urllib.request.Request(  # noqa: S310
            url,
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return int(response.status), json.loads(response.read())

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(post, range(12)))

    assert sorted(status for status, _ in answers) == [200] * 11 + [201]
    assert len({answer["id"] for _, answer in answers}) == 1
    assert SurveyResponse.objects.filter(therapist=therapist).count() == 1
    assert EngagementEvent.objects.filter(therapist=therapist, kind=EventKind.SURVEY_COMPLETED).count() == 1
