"""Resend webhook: Svix verification with the real library, idempotency, attribution, funnel effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from svix.webhooks import Webhook

from research.models import EngagementEvent, FunnelStage, OutboundEmail, Suppression, TherapistResearchState
from tests.research.conftest import make_therapist, resend_payload, sign

pytestmark = pytest.mark.django_db

OTHER_SECRET = "whsec_" + "b3RoZXItc2VjcmV0LWZvci1yb3RhdGlvbi10ZXN0cw=="


@pytest.fixture
def invited(therapist):  # type: ignore[no-untyped-def]
    email = OutboundEmail.objects.create(
        therapist=therapist,
        to_email=therapist.email,
        step=1,
        subject="Invitation",
        variant="B",
        experiment_id="EXP-01-subject-intro-v1",
        provider_message_id="re_msg_1",
        status="sent",
        sent_at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
    )
    TherapistResearchState.objects.create(
        therapist=therapist, stage=FunnelStage.INVITED, invited_at=email.sent_at, variant="B"
    )
    return email


def _state(therapist):  # type: ignore[no-untyped-def]
    return TherapistResearchState.objects.get(therapist=therapist)


def test_a_valid_signed_open_is_stored_attributed_and_advances_the_funnel(deliver, therapist, invited) -> None:
    response = deliver(
        resend_payload(
            "email.opened", to=therapist.email, open={"userAgent": "Mozilla/5.0 (Windows NT 10.0) Thunderbird"}
        ),
        msg_id="msg_open_1",
    )
    assert response.status_code == 200 and response.json() == {"status": "stored"}
    event = EngagementEvent.objects.get()
    assert (event.kind, event.provider_event_id, event.therapist_id, event.outbound_email_id) == (
        "email_opened",
        "msg_open_1",
        therapist.id,
        invited.id,
    )
    assert event.context["variant"] == "B" and event.context["step"] == 1
    assert event.machine_open is False
    state = _state(therapist)
    assert (state.stage, state.opens_count) == (FunnelStage.OPENED, 1)


@pytest.mark.parametrize(
    "tamper", ["signature", "stale", "future", "missing", "altered_body", "wrong_secret", "garbage_signature"]
)
def test_a_bad_signature_is_a_400_and_writes_nothing(deliver, therapist, invited, tamper: str) -> None:
    body = resend_payload("email.opened", to=therapist.email)
    headers = sign(body, msg_id="msg_bad")
    if tamper == "signature":
        headers["svix-signature"] = "v1,AAAA" + headers["svix-signature"][7:]
    elif tamper == "stale":
        headers = sign(body, msg_id="msg_bad", when=datetime.now(tz=UTC) - timedelta(minutes=6))
    elif tamper == "future":
        headers = sign(body, msg_id="msg_bad", when=datetime.now(tz=UTC) + timedelta(minutes=6))
    elif tamper == "missing":
        headers = {}
    elif tamper == "altered_body":
        body = body.replace(b"email.opened", b"email.clicked")
    elif tamper == "wrong_secret":
        headers = sign(body, msg_id="msg_bad", secret=OTHER_SECRET)
    elif tamper == "garbage_signature":
        headers["svix-signature"] = "not-a-signature"
    response = deliver(body, msg_id="msg_bad", headers=headers)
    assert response.status_code == 400
    assert EngagementEvent.objects.count() == 0
    assert _state(therapist).stage == FunnelStage.INVITED


def test_a_signature_made_with_the_svix_id_of_another_delivery_is_refused(deliver, therapist, invited) -> None:
    body = resend_payload("email.opened", to=therapist.email)
    headers = sign(body, msg_id="msg_original")
    headers["svix-id"] = "msg_replayed"
    assert deliver(body, msg_id="x", headers=headers).status_code == 400
    assert not EngagementEvent.objects.exists()


def test_during_key_rotation_any_of_several_signatures_may_match(deliver, therapist, invited) -> None:
    body = resend_payload("email.opened", to=therapist.email)
    when = datetime.now(tz=UTC)
    old = Webhook(OTHER_SECRET).sign("msg_rotated", when, body.decode())
    headers = sign(body, msg_id="msg_rotated", when=when)
    headers["svix-signature"] = f"{old} {headers['svix-signature']}"  # old key first, current second
    assert deliver(body, msg_id="msg_rotated", headers=headers).status_code == 200
    only_old = {**headers, "svix-signature": old}
    assert deliver(body, msg_id="msg_rotated2", headers={**only_old, "svix-id": "msg_rotated2"}).status_code == 400
    assert EngagementEvent.objects.count() == 1


def test_a_duplicate_delivery_answers_200_and_changes_nothing(deliver, therapist, invited) -> None:
    body = resend_payload(
        "email.clicked", to=therapist.email, click={"link": "https://therapair.com.au/research/survey/"}
    )
    assert deliver(body, msg_id="msg_dup").json() == {"status": "stored"}
    second = deliver(body, msg_id="msg_dup")
    assert second.status_code == 200 and second.json() == {"status": "duplicate"}
    assert EngagementEvent.objects.count() == 1
    assert _state(therapist).clicks_count == 1


def test_unknown_event_types_answer_200_and_are_recorded_as_ignored(deliver, therapist) -> None:
    response = deliver(resend_payload("contact.created", to=therapist.email), msg_id="msg_contact")
    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    event = EngagementEvent.objects.get()
    assert event.kind == "ignored" and event.context["type"] == "contact.created"
    assert not TherapistResearchState.objects.filter(therapist=therapist, stage__gt=0).exists()


def test_a_verified_but_malformed_body_is_a_400(deliver) -> None:
    for body in (b"[1, 2]", b"not json", b'{"data": {}}'):
        assert deliver(body, msg_id="msg_malformed").status_code == 400
    assert not EngagementEvent.objects.exists()


def test_the_handler_uses_at_most_three_sql_statements_per_event(deliver, therapist, invited) -> None:
    body = resend_payload(
        "email.clicked",
        to=therapist.email,
        click={"link": "https://therapair.com.au/research/survey/?utm_content=survey"},
    )
    with CaptureQueriesContext(connection) as queries:
        assert deliver(body, msg_id="msg_count").status_code == 200
    assert len(queries) <= 3, [q["sql"][:80] for q in queries]
    assert len(queries) == 1  # one statement with data-modifying CTEs
    with CaptureQueriesContext(connection) as queries:
        assert deliver(body, msg_id="msg_count").status_code == 200  # duplicate
    assert len(queries) == 1


def test_clicks_carry_the_link_and_its_utm_tags_into_the_context(deliver, therapist, invited) -> None:
    link = "https://therapair.com.au/research/survey/?utm_source=email&utm_medium=research&utm_content=survey&utm_variant=B"
    deliver(resend_payload("email.clicked", to=therapist.email, click={"link": link}), msg_id="msg_click")
    context = EngagementEvent.objects.get().context
    assert context["clicked_url"] == link
    assert (context["utm_source"], context["utm_medium"], context["utm_content"]) == ("email", "research", "survey")
    assert context["tags"] == {"campaign": "therapist_research"}


def test_weaker_later_events_never_lower_the_stage(deliver, therapist, invited) -> None:
    deliver(
        resend_payload("email.clicked", to=therapist.email, click={"link": "https://x.test/research/survey/"}),
        msg_id="msg_1",
    )
    deliver(resend_payload("email.opened", to=therapist.email, open={"userAgent": "Thunderbird"}), msg_id="msg_2")
    deliver(resend_payload("email.delivered", to=therapist.email), msg_id="msg_3")
    state = _state(therapist)
    assert state.stage == FunnelStage.CLICKED
    assert (state.opens_count, state.clicks_count) == (1, 1)


PROXY_AGENTS = [
    "Mozilla/5.0",  # Apple Mail Privacy Protection
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "YahooMailProxy; https://help.yahoo.com",
]


@pytest.mark.parametrize("user_agent", PROXY_AGENTS)
def test_opens_from_privacy_proxies_are_flagged_and_do_not_count_as_engagement(
    deliver, therapist, invited, user_agent: str
) -> None:
    deliver(resend_payload("email.opened", to=therapist.email, open={"userAgent": user_agent}), msg_id="msg_proxy")
    assert EngagementEvent.objects.get().machine_open is True
    state = _state(therapist)
    assert (state.stage, state.opens_count, state.machine_opens_count) == (FunnelStage.INVITED, 0, 1)


def test_an_open_seconds_after_delivery_is_a_machine_open(deliver, therapist, invited) -> None:
    deliver(resend_payload("email.delivered", to=therapist.email, created_at="2026-10-01T10:00:00Z"), msg_id="m1")
    deliver(
        resend_payload(
            "email.opened", to=therapist.email, created_at="2026-10-01T10:00:04Z", open={"userAgent": "Thunderbird"}
        ),
        msg_id="m2",
    )
    deliver(
        resend_payload(
            "email.opened", to=therapist.email, created_at="2026-10-01T12:00:00Z", open={"userAgent": "Thunderbird"}
        ),
        msg_id="m3",
    )
    assert list(
        EngagementEvent.objects.filter(kind="email_opened")
        .order_by("occurred_at")
        .values_list("machine_open", flat=True)
    ) == [True, False]
    invited.refresh_from_db()
    assert invited.status == "delivered" and invited.delivered_at is not None
    state = _state(therapist)
    assert (state.stage, state.opens_count, state.machine_opens_count) == (FunnelStage.OPENED, 1, 1)


def test_a_hard_bounce_suppresses_the_address_and_flags_the_therapist(deliver, therapist, invited) -> None:
    deliver(resend_payload("email.bounced", to=therapist.email.upper(), bounce={"type": "Permanent"}), msg_id="mb")
    assert Suppression.objects.get().email == therapist.email
    assert _state(therapist).bounced_at is not None
    invited.refresh_from_db()
    assert invited.status == "bounced"
    # A later "delivered" never moves the e-mail's status backwards.
    deliver(resend_payload("email.delivered", to=therapist.email), msg_id="md")
    invited.refresh_from_db()
    assert invited.status == "bounced"


def test_a_transient_bounce_does_not_suppress(deliver, therapist, invited) -> None:
    deliver(resend_payload("email.bounced", to=therapist.email, bounce={"type": "Transient"}), msg_id="mt")
    assert not Suppression.objects.exists()
    assert _state(therapist).bounced_at is None


def test_a_complaint_suppresses(deliver, therapist, invited) -> None:
    deliver(resend_payload("email.complained", to=therapist.email), msg_id="mc")
    assert Suppression.objects.get().reason == "complaint"
    assert _state(therapist).next_action().step is None


def test_attribution_falls_back_to_the_recipient_when_the_provider_id_is_unknown(deliver, therapist, invited) -> None:
    deliver(
        resend_payload(
            "email.opened", email_id="re_unknown", to=f"  {therapist.email.upper()} ", open={"userAgent": "Thunderbird"}
        ),
        msg_id="mr",
    )
    event = EngagementEvent.objects.get()
    assert event.outbound_email_id == invited.id and event.therapist_id == therapist.id


def test_an_event_for_nobody_we_know_is_stored_unattributed(deliver, db) -> None:
    make_therapist()
    assert deliver(resend_payload("email.opened", to="stranger@example.test"), msg_id="ms").status_code == 200
    event = EngagementEvent.objects.get()
    assert event.therapist_id is None and event.outbound_email_id is None
