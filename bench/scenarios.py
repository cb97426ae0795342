"""The scenario registry of ``bench/http.py``: what is measured, against which floor, with which target.

A scenario is measured once per interleaved round and, when it names a ``floor``, reported as a ratio to
that floor measured in the same rounds. Adding one is a ``register(...)`` call (see bench/README.md):

* ``HttpScenario``: a route driven over HTTP by wrk or the Python client. ``requests(ctx, round, count)``
  pre-generates bodies/headers (unique ids per round); without it every request is a bare ``method path``.
  A scenario whose path does not resolve yet is listed as skipped, not failed.
* ``FloorScenario``: a raw psycopg transaction run by N processes (``bench.lib.floor``).

``prepare(ctx)`` runs once before the server starts (seed rows, create a login and token into
``ctx.extras``); ``check(ctx)`` runs once after the rounds and returns a one-line verdict.

Targets (``min_ratio`` of the floor, ``min_rate`` in the worst round) are printed as ok/MISS. They are
never asserted anywhere: timings do not belong in tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.lib.floor import EventTransaction, Transaction, run_floor
from bench.lib.load import Request, drive
from bench.lib.payloads import intake_requests, webhook_requests
from bench.lib.server import GunicornServer
from bench.lib.stats import Measurement


@dataclass
class BenchContext:
    """Everything a scenario needs to measure once; built by ``bench/http.py``."""

    run_id: str
    duration_s: float
    connections: int
    tool: str
    threads: int
    max_requests: int
    rate_ceiling: int
    floor_processes: int
    conninfo: dict[str, Any]
    server: GunicornServer | None = None
    # What ``prepare`` hooks leave for request factories (a login token, ids of seeded rows...).
    extras: dict[str, Any] = field(default_factory=dict)

    def request_budget(self) -> int:
        """How many distinct requests one measurement may need: the time bound times a generous rate."""
        return min(self.max_requests, max(100, math.ceil(self.duration_s * self.rate_ceiling)))


RequestFactory = Callable[[BenchContext, int, int], Sequence[Request]]
Check = Callable[[BenchContext], str]
Prepare = Callable[[BenchContext], None]


@dataclass(frozen=True)
class HttpScenario:
    name: str
    path: str
    method: str = "GET"
    description: str = ""
    requests: RequestFactory | None = None
    floor: str | None = None
    min_ratio: float | None = None
    min_rate: float | None = None
    check: Check | None = None
    # Extra environment for the gunicorn server (e.g. a webhook signing secret the app reads).
    server_env: dict[str, str] = field(default_factory=dict)
    # Run once in the bench process (Django set up, bench database migrated) before the server starts.
    prepare: Prepare | None = None
    kind: str = "http"

    def unavailable(self) -> str | None:
        """Why this scenario cannot run yet (its route does not exist), or None."""
        from django.urls import Resolver404, resolve

        try:
            resolve(self.path.split("?", 1)[0])
        except Resolver404:
            return f"no route for {self.path} yet"
        return None

    def measure(self, ctx: BenchContext, round_index: int, *, duration_s: float | None = None,
                max_requests: int | None = None) -> Measurement:
        assert ctx.server is not None, "HTTP scenarios need the server"
        duration = duration_s or ctx.duration_s
        if self.requests is None:
            source: Sequence[Request] | None = None
            cap = max_requests or ctx.max_requests
        else:
            count = ctx.request_budget() if max_requests is None else max_requests + ctx.connections
            source = self.requests(ctx, round_index, count)
            # Stop before the list runs out so that wrk's in-flight extras are still distinct requests.
            cap = max(1, len(source) - ctx.connections)
        return drive(ctx.server.url(self.path), self.method, source, duration, ctx.connections,
                     max_requests=cap, tool=ctx.tool, threads=ctx.threads)


@dataclass(frozen=True)
class FloorScenario:
    name: str
    transaction: Callable[[BenchContext, int], Transaction]
    description: str = ""
    floor: str | None = None
    min_ratio: float | None = None
    min_rate: float | None = None
    check: Check | None = None
    server_env: dict[str, str] = field(default_factory=dict)
    # Run once in the bench process (Django set up, bench database migrated) before the server starts.
    prepare: Prepare | None = None
    kind: str = "psycopg"

    def unavailable(self) -> str | None:
        return None

    def measure(self, ctx: BenchContext, round_index: int, *, duration_s: float | None = None,
                max_requests: int | None = None) -> Measurement:
        return run_floor(ctx.conninfo, self.transaction(ctx, round_index), processes=ctx.floor_processes,
                         duration_s=duration_s or ctx.duration_s,
                         max_transactions=max_requests or ctx.max_requests)


Scenario = HttpScenario | FloorScenario
SCENARIOS: dict[str, Scenario] = {}


def register(scenario: Scenario) -> Scenario:
    if scenario.name in SCENARIOS:
        raise ValueError(f"scenario {scenario.name!r} registered twice")
    SCENARIOS[scenario.name] = scenario
    return scenario


def select(only: Sequence[str] | None) -> list[Scenario]:
    """The named scenarios (all when ``only`` is empty) plus, transitively, the floors they name."""
    names = list(only) if only else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    chosen: list[str] = []
    for name in names:
        while name and name not in chosen:
            chosen.append(name)
            name = SCENARIOS[name].floor or ""
    return [SCENARIOS[n] for n in SCENARIOS if n in chosen]  # registry order


# -- checks ---------------------------------------------------------------------------------------------------

def event_counters_check(ctx: BenchContext) -> str:
    """After all replays, the counters must add up to the number of distinct stored events."""
    import psycopg

    from bench.lib.tables import event_counts

    with psycopg.connect(**ctx.conninfo) as conn, conn.cursor() as cursor:
        counted, distinct = event_counts(cursor)
    verdict = "ok" if counted == distinct else "MISMATCH"
    return f"{verdict}: counters sum {counted} vs {distinct} distinct event ids stored"


# -- the scenarios that exist now -------------------------------------------------------------------------------

def _intake(path: str) -> RequestFactory:
    def factory(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
        return intake_requests(count, path=path, seed=round_index)
    return factory


def _webhook(path: str) -> RequestFactory:
    def factory(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
        return webhook_requests(count, path=path, run_id=f"{ctx.run_id}r{round_index}", seed=round_index)
    return factory


def _event_floor(ctx: BenchContext, round_index: int) -> Transaction:
    return EventTransaction(run_id=f"{ctx.run_id}r{round_index}", replay_fraction=0.1)


register(HttpScenario(
    name="plain", path="/bench/plain/",
    description="framework floor: plain JSON view, full middleware, no database",
))
register(HttpScenario(
    name="health", path="/health/", floor="plain",
    description="GET /health/ (SELECT 1 on the worker's persistent connection)",
))
register(HttpScenario(
    name="insert-view", path="/bench/insert/", method="POST", requests=_intake("/bench/insert/"), floor="plain",
    description="intake floor: plain view, JSON body, one raw INSERT",
))
register(FloorScenario(
    name="psycopg-event", transaction=_event_floor, check=event_counters_check,
    description="raw psycopg floor, 4 processes: insert-if-new event + counter UPDATE, 1 transaction, ~10% replays",
))
register(HttpScenario(
    name="event-view", path="/bench/event/", method="POST", requests=_webhook("/bench/event/"),
    floor="psycopg-event", check=event_counters_check,
    description="the same transaction in a plain view: Svix-signed Resend bodies, unique ids, ~10% replays",
))
