"""Scenario selection and the webhook request generator (unique ids, ~10 % byte-identical replays)."""

from __future__ import annotations

from svix.webhooks import Webhook

from bench.lib.payloads import BENCH_WEBHOOK_SECRET, webhook_requests
from bench.scenarios import SCENARIOS, select


def test_selecting_a_scenario_brings_its_floor_along() -> None:
    names = [s.name for s in select(["event-view"])]
    assert names == ["psycopg-event", "event-view"]


def test_selecting_nothing_means_everything_in_registry_order() -> None:
    assert [s.name for s in select([])] == list(SCENARIOS)


def test_every_named_floor_is_registered() -> None:
    assert all(s.floor in SCENARIOS for s in SCENARIOS.values() if s.floor)


def test_webhook_requests_are_signed_unique_with_about_ten_percent_replays() -> None:
    requests = webhook_requests(2000, path="/hook/", run_id="t", seed=3)
    ids = [dict(r.headers)["svix-id"] for r in requests]

    replays = len(ids) - len(set(ids))
    assert 150 <= replays <= 250
    first_seen: dict[str, bytes] = {}
    for svix_id, r in zip(ids, requests, strict=True):
        assert first_seen.setdefault(svix_id, r.body) == r.body  # a replay is the same delivery again
    verifier = Webhook(BENCH_WEBHOOK_SECRET)
    for r in requests[:20]:
        verifier.verify(r.body, dict(r.headers))  # raises if the Svix signature is wrong
