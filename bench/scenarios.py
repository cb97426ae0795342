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
    # Another route this scenario is only worth running with (a raw floor waits for its real endpoint).
    requires_path: str | None = None

    def unavailable(self) -> str | None:
        """Why this scenario cannot run yet (its route, or the one it requires, does not exist), or None."""
        from django.urls import Resolver404, resolve

        for path in filter(None, (self.path, self.requires_path)):
            try:
                resolve(path.split("?", 1)[0])
            except Resolver404:
                return f"no route for {path} yet"
        return None

    def measure(
        self, ctx: BenchContext, round_index: int, *, duration_s: float | None = None, max_requests: int | None = None
    ) -> Measurement:
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
        return drive(
            ctx.server.url(self.path),
            self.method,
            source,
            duration,
            ctx.connections,
            max_requests=cap,
            tool=ctx.tool,
            threads=ctx.threads,
        )


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

    def measure(
        self, ctx: BenchContext, round_index: int, *, duration_s: float | None = None, max_requests: int | None = None
    ) -> Measurement:
        return run_floor(
            ctx.conninfo,
            self.transaction(ctx, round_index),
            processes=ctx.floor_processes,
            duration_s=duration_s or ctx.duration_s,
            max_transactions=max_requests or ctx.max_requests,
        )


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


register(
    HttpScenario(
        name="plain",
        path="/bench/plain/",
        description="framework floor: plain JSON view, full middleware, no database",
    )
)
register(
    HttpScenario(
        name="health",
        path="/health/",
        floor="plain",
        description="GET /health/ (SELECT 1 on the worker's persistent connection)",
    )
)
register(
    HttpScenario(
        name="insert-view",
        path="/bench/insert/",
        method="POST",
        requests=_intake("/bench/insert/"),
        floor="plain",
        description="intake floor: plain view, JSON body, one raw INSERT",
    )
)
register(
    FloorScenario(
        name="psycopg-event",
        transaction=_event_floor,
        check=event_counters_check,
        description="raw psycopg floor, 4 processes: insert-if-new event + counter UPDATE, 1 transaction, ~10% replays",
    )
)
register(
    HttpScenario(
        name="event-view",
        path="/bench/event/",
        method="POST",
        requests=_webhook("/bench/event/"),
        floor="psycopg-event",
        check=event_counters_check,
        description="the same transaction in a plain view: Svix-signed Resend bodies, unique ids, ~10% replays",
    )
)


# -- issue 7: the real endpoints ---------------------------------------------------------------------------------
#
# The webhook's floor runs research.services.events' own statement on the real tables (4 psycopg processes),
# so "webhook ÷ psycopg-webhook" is exactly the cost of HTTP + Django + Svix verification + parsing.

BENCH_DOMAIN = "bench.invalid"
WEBHOOK_THERAPISTS = 500  # one OutboundEmail (provider id em_0000..em_0499) per therapist, as tables.email_id


def _webhook_prepare(ctx: BenchContext) -> None:
    """500 therapists with one sent research e-mail each, provider ids em_0000..em_0499; fresh state rows."""
    from django.db import connection

    from bench.lib.tables import COUNTER_ROWS

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO practice_therapist (id, created_at, updated_at, email, first_name, last_name, preferred_name,
                pronouns, title, phone, avatar_url, profession, license_number, license_type, license_issuing_body,
                license_verified, registration_number, organisation, website, specializations, modalities,
                languages, client_types, service_types, region, suburb, state, postcode, bio, profile_source,
                directory_status, is_active)
            SELECT md5('bench-w-' || g)::uuid, now(), now(), 'webhook' || g || '@{BENCH_DOMAIN}', 'Webhook', 'T' || g,
                   '', '', '', '', '', '', '', '', '', false, '', '', '', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}',
                   '', '', '', '', '', 'manual', 'pending_review', true
              FROM generate_series(0, %s - 1) g
            ON CONFLICT DO NOTHING""",
            [COUNTER_ROWS],
        )
        cursor.execute(
            f"""
            INSERT INTO research_outboundemail (id, created_at, updated_at, therapist_id, to_email, step, subject,
                variant, experiment_id, provider_message_id, sent_at, delivered_at, status, error)
            SELECT md5('bench-wo-' || g)::uuid, now(), now(), md5('bench-w-' || g)::uuid,
                   'webhook' || g || '@{BENCH_DOMAIN}', 1, 'Research', '', '',
                   'em_' || lpad(g::text, 4, '0'), now() - interval '1 day', NULL, 'sent', ''
              FROM generate_series(0, %s - 1) g
            ON CONFLICT DO NOTHING""",
            [COUNTER_ROWS],
        )
        # TRUNCATE is allowed on the append-only log (only UPDATE/DELETE are refused); the bench database only.
        cursor.execute(
            "DELETE FROM research_therapistresearchstate WHERE therapist_id IN "
            "(SELECT therapist_id FROM research_outboundemail WHERE provider_message_id LIKE 'em\\_%%')"
        )


def webhook_counters_check(ctx: BenchContext) -> str:
    """After all replays (HTTP and floor): per therapist, opens + machine opens + clicks counted in the state
    equal this run's stored opened/clicked events, and every stored event id is distinct.

    Only this run's events count (ids ``msg_<run>r<round>_...`` and ``pfloor_<run>r<round>_...``): the log is
    append-only and keeps earlier runs' events, while ``_webhook_prepare`` starts the state rows afresh."""
    import psycopg

    ours = "(provider_event_id LIKE %(msg)s OR provider_event_id LIKE %(floor)s)"
    run = {"msg": f"msg\\_{ctx.run_id}r%", "floor": f"pfloor\\_{ctx.run_id}r%"}
    with psycopg.connect(**ctx.conninfo) as conn:
        counted = conn.execute("""
            SELECT coalesce(sum(s.opens_count + s.machine_opens_count + s.clicks_count), 0)
              FROM research_therapistresearchstate s
             WHERE s.therapist_id IN (SELECT therapist_id FROM research_outboundemail
                                       WHERE provider_message_id LIKE 'em\\_%%')""").fetchone()[0]  # type: ignore[index]
        events, distinct, total = conn.execute(
            f"""
            SELECT count(*) FILTER (WHERE kind IN ('email_opened', 'email_clicked')),
                   count(DISTINCT provider_event_id), count(*)
              FROM research_engagementevent WHERE {ours}""",
            run,
        ).fetchone()  # type: ignore[misc]  # an aggregate: always one row
    verdict = "ok" if counted == events and total == distinct else "MISMATCH"
    return (
        f"{verdict}: state counters (opens+machine opens+clicks) {counted} vs {events} stored open/click "
        f"events; {total} events stored, {distinct} distinct event ids"
    )


@dataclass(frozen=True)
class WebhookFloorTransaction:
    """research.services.events' one statement, parameters built as ``event_record`` builds them for a parsed
    Resend delivery (same event mix as the HTTP payloads; ~10 % replays of this worker's earlier ids)."""

    sql: str
    run_id: str
    machine_secs: int = 10
    replay_fraction: float = 0.1

    def __call__(self, conn: Any, worker: int, i: int) -> None:
        import random
        from datetime import UTC, datetime

        from psycopg.types.json import Jsonb

        from bench.lib.payloads import EVENT_TYPES
        from bench.lib.tables import email_id

        n = random.randrange(i) if i and random.random() < self.replay_fraction else i
        kind_type = EVENT_TYPES[n % len(EVENT_TYPES)]
        kind, stage, status = {
            "email.sent": ("email_sent", 1, "sent"),
            "email.delivered": ("email_delivered", 1, "delivered"),
            "email.opened": ("email_opened", 2, None),
            "email.clicked": ("email_clicked", 3, None),
        }[kind_type]
        conn.execute(
            self.sql,
            {
                "kind": kind,
                "occurred_at": datetime.now(UTC),
                "status": "completed",
                "context": Jsonb({"provider": "resend", "type": kind_type, "tags": {"sequence_step": "1"}}),
                "provider_event_id": f"pfloor_{self.run_id}_{worker}_{n}",
                "therapist_id": None,
                "outbound_email_id": None,
                "provider_message_id": email_id(n * 7 + worker),
                "recipient": f"therapist{n % 5000}@example.org",
                "suppress": None,
                "outbound_status": status,
                "proxy_ua": False,
                "machine_secs": self.machine_secs,
                "stage": stage,
                "invited": False,
                "opened": kind == "email_opened",
                "clicked": kind == "email_clicked",
                "completed": False,
                "sandbox": False,
                "feedback": False,
                "followup": False,
                "step_bits": 0,
                "unsubscribed": False,
                "bounced": False,
                "complained": False,
                "variant": "",
                "experiment_id": "",
            },
        ).fetchone()


def _webhook_floor(ctx: BenchContext, round_index: int) -> Transaction:
    from research.services import events

    return WebhookFloorTransaction(sql=events._SQL, run_id=f"{ctx.run_id}r{round_index}")


def _tokens(ctx: BenchContext) -> list[str]:
    """Signed survey tokens for the seeded directory therapists (or the webhook therapists without a seed)."""
    if "tokens" not in ctx.extras:
        from practice.models import Therapist
        from research.tokens import survey_token_make

        ids = list(
            Therapist.objects.filter(email__endswith=f"@{BENCH_DOMAIN}", profile_source="vic_import")
            .order_by("email")
            .values_list("pk", flat=True)[:20000]
        )
        if not ids:
            _webhook_prepare(ctx)
            ids = list(Therapist.objects.filter(email__startswith="webhook").values_list("pk", flat=True))
        ctx.extras["tokens"] = [survey_token_make(therapist_id=pk) for pk in ids]
    return ctx.extras["tokens"]


def _survey_prepare(ctx: BenchContext) -> None:
    _tokens(ctx)


SURVEY_ANSWERS = {
    "email": "",
    "profession": "Psychologist",
    "years_practice": "6–10 years",
    "client_types": ["Adults", "LGBTQ+"],
    "modalities": ["CBT", "Person-Centred"],
    "clients_find_you": ["Referrals"],
    "match_factors": ["Trust", "Shared core values"],
    "biggest_gap": "Listings say nothing about fit.",
    "screens_clients": "Yes",
    "open_to_sharing": "Maybe",
    "questions_matter": ["Values and beliefs"],
    "personality_test": "No",
    "too_personal": ["Political views"],
    "profile_detail_level": 7,
    "onboarding_time": "2-3 min",
    "free_listing_interest": "Maybe later",
    "profile_intent": "Yes",
    "future_contact": "No",
    "comments": "Happy to help.",
    "value_fee_per_match": "25",
    "value_monthly_subscription": "50",
}


def _survey(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    from bench.lib.load import json_request

    tokens = _tokens(ctx)
    return [
        json_request(
            "/api/v1/research/survey/responses/",
            {
                "token": tokens[(round_index * 7919 + i) % len(tokens)],
                "session_id": f"bench-{ctx.run_id}-{round_index}-{i}",
                "consent": {"accepted": True, "version": "2025-11-13"},
                "survey": SURVEY_ANSWERS,
                "metadata": {"utm": {"source": "email", "medium": "research"}, "landing_path": "/research/survey/"},
            },
        )
        for i in range(count)
    ]


def _feedback(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    from bench.lib.load import json_request

    return [
        json_request(
            "/api/v1/research/feedback/",
            {
                "rating": 1 + i % 5,
                "comment": "The matching questions were clear; the pricing page less so.",
                "page_url": "https://example.org/sandbox",
                "section": "sandbox",
                "tracking_id": f"{ctx.run_id}-{i}",
                "scroll_percent": i % 100,
            },
        )
        for i in range(count)
    ]


def _eoi(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    from bench.lib.load import json_request

    return [
        json_request(
            "/api/v1/research/eoi/",
            {
                "email": f"eoi{ctx.run_id}r{round_index}n{i}@{BENCH_DOMAIN}",
                "email_consent": True,
                "audience": "individual",
                "therapy_interests": ["LGBTQ+ affirming care"],
                "additional_thoughts": "Someone kind",
                "full_name": "Sam",
            },
        )
        for i in range(count)
    ]


def _beacon(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    from bench.lib.load import json_request

    tokens = _tokens(ctx)
    return [
        json_request(
            "/api/v1/research/sandbox-visits/",
            {
                "token": tokens[i % len(tokens)],
                "session_id": f"{ctx.run_id}-{round_index}-{i}",
                "page_path": "/sandbox/",
            },
        )
        for i in range(count)
    ]


# -- the same writes raw (bench/views.py raw_*): the floors the intake targets are defined against ----------------


def _canonical(serializer: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as the endpoint stores it: the serializer's canonical values (prepared once, never timed)."""
    import json

    from research.api.public import serializers

    checked = getattr(serializers, serializer)(data=body)
    checked.is_valid(raise_exception=True)
    return json.loads(json.dumps(dict(checked.validated_data), default=str))


def _therapist_ids(ctx: BenchContext) -> list[str]:
    if "therapist_ids" not in ctx.extras:
        from research.tokens import survey_token_read

        ctx.extras["therapist_ids"] = [str(survey_token_read(t).therapist_id) for t in _tokens(ctx)]
    return ctx.extras["therapist_ids"]


def _raw_survey(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    from bench.lib.load import json_request

    ids = _therapist_ids(ctx)
    answers = ctx.extras.setdefault("survey_canonical", _canonical("SurveyAnswersSerializer", SURVEY_ANSWERS))
    return [
        json_request(
            "/bench/raw-survey/",
            {
                "therapist_id": ids[(round_index * 7919 + i) % len(ids)],
                "session_id": f"bench-{ctx.run_id}-{round_index}-{i}",
                "survey": answers,
            },
        )
        for i in range(count)
    ]


def _raw_eoi(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    from bench.lib.load import json_request

    canonical = ctx.extras.setdefault(
        "eoi_canonical",
        _canonical(
            "EOISerializer",
            {
                "email": f"eoi@{BENCH_DOMAIN}",
                "email_consent": True,
                "audience": "individual",
                "therapy_interests": ["LGBTQ+ affirming care"],
                "additional_thoughts": "Someone kind",
                "full_name": "Sam",
            },
        ),
    )
    return [
        json_request(
            "/bench/raw-eoi/",
            {
                **canonical,
                "email": f"raweoi{ctx.run_id}r{round_index}n{i}@{BENCH_DOMAIN}",
            },
        )
        for i in range(count)
    ]


def _raw_beacon(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    from bench.lib.load import json_request

    ids = _therapist_ids(ctx)
    return [
        json_request(
            "/bench/raw-beacon/",
            {
                "therapist_id": ids[i % len(ids)],
                "session_id": f"raw-{ctx.run_id}-{round_index}-{i}",
                "page_path": "/sandbox/",
            },
        )
        for i in range(count)
    ]


def _raw_feedback(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
    return [Request(r.method, "/bench/raw-feedback/", r.headers, r.body) for r in _feedback(ctx, round_index, count)]


register(
    HttpScenario(
        name="raw-survey",
        path="/bench/raw-survey/",
        method="POST",
        requests=_raw_survey,
        prepare=_survey_prepare,
        floor="insert-view",
        description="survey floor: the same upsert + events.py statement, raw, one transaction",
    )
)
register(
    HttpScenario(
        name="raw-feedback",
        path="/bench/raw-feedback/",
        method="POST",
        requests=_raw_feedback,
        floor="insert-view",
        description="feedback floor: the same row into research_feedback, one raw INSERT",
    )
)
register(
    HttpScenario(
        name="raw-eoi",
        path="/bench/raw-eoi/",
        method="POST",
        requests=_raw_eoi,
        floor="insert-view",
        description="EOI floor: the e-mail lookup + the same row into research_expressionofinterest, raw",
    )
)
register(
    HttpScenario(
        name="raw-beacon",
        path="/bench/raw-beacon/",
        method="POST",
        requests=_raw_beacon,
        prepare=_survey_prepare,
        floor="insert-view",
        description="beacon floor: events.py's statement (prepared), therapist from the body",
    )
)


# -- therapist API (issue 6): registered now, skipped until its routes exist ----------------------------------


def _therapist_prepare(ctx: BenchContext) -> None:
    """A login for the seeded clinician3 (bench/seed), in the Therapist group, with a knox token."""
    from django.contrib.auth.models import Group, User
    from knox.models import AuthToken

    from practice.models import Therapist
    from sanctuary import roles

    if "therapist_token" in ctx.extras:
        return
    therapist = Therapist.objects.filter(email="clinician3@bench.invalid").first()
    if therapist is None:
        raise SystemExit("the therapist API scenarios need `python -m bench.seed` first")
    user = therapist.user or User.objects.create_user(username=f"bench-clinician3-{ctx.run_id}")
    if therapist.user_id != user.pk:
        therapist.user = user
        therapist.save(update_fields=["user"])
    group, _ = Group.objects.get_or_create(name=roles.THERAPIST)
    user.groups.add(group)
    ctx.extras["therapist_token"] = AuthToken.objects.create(user)[1]
    ctx.extras["therapist_id"] = str(therapist.pk)


def _authorised(path: str) -> RequestFactory:
    def factory(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
        headers = (("Authorization", f"Token {ctx.extras['therapist_token']}"), ("Accept", "application/json"))
        return [Request("GET", path, headers, b"")] * min(count, 1000)

    return factory


def _raw_floor(path: str) -> RequestFactory:
    def factory(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
        headers = (("X-Therapist", ctx.extras["therapist_id"]),)
        return [Request("GET", path, headers, b"")] * min(count, 1000)

    return factory


register(
    FloorScenario(
        name="psycopg-webhook",
        transaction=_webhook_floor,
        prepare=_webhook_prepare,
        description="raw psycopg floor, 4 processes: events.py's one statement on the real tables, ~10% replays",
    )
)
register(
    HttpScenario(
        name="webhook",
        path="/webhooks/resend/",
        method="POST",
        requests=_webhook("/webhooks/resend/"),
        floor="psycopg-webhook",
        min_ratio=0.25,
        min_rate=150,
        check=webhook_counters_check,
        prepare=_webhook_prepare,
        description="Resend webhook: Svix-verified, unique ids, ~10% replays, real tables",
    )
)
register(
    HttpScenario(
        name="survey",
        path="/api/v1/research/survey/responses/",
        method="POST",
        requests=_survey,
        prepare=_survey_prepare,
        floor="raw-survey",
        min_ratio=0.35,
        min_rate=150,
        description="survey submission (token, upsert + completion event)",
    )
)
register(
    HttpScenario(
        name="feedback",
        path="/api/v1/research/feedback/",
        method="POST",
        requests=_feedback,
        floor="raw-feedback",
        min_ratio=0.35,
        min_rate=150,
        description="anonymous feedback",
    )
)
register(
    HttpScenario(
        name="eoi",
        path="/api/v1/research/eoi/",
        method="POST",
        requests=_eoi,
        floor="raw-eoi",
        min_ratio=0.35,
        min_rate=150,
        description="expression of interest (individual)",
    )
)
register(
    HttpScenario(
        name="beacon",
        path="/api/v1/research/sandbox-visits/",
        method="POST",
        requests=_beacon,
        prepare=_survey_prepare,
        floor="raw-beacon",
        min_ratio=0.70,
        min_rate=150,
        description="sandbox-visit beacon (token, unique session ids: one event each)",
    )
)
register(
    HttpScenario(
        name="raw-patients",
        path="/bench/patients/",
        requests=_raw_floor("/bench/patients/"),
        prepare=_therapist_prepare,
        floor="plain",
        requires_path="/api/v1/patients/",
        description="list floor: plain view, the patient list's first page + count in raw SQL",
    )
)
register(
    HttpScenario(
        name="patient-list",
        path="/api/v1/patients/",
        requests=_authorised("/api/v1/patients/"),
        prepare=_therapist_prepare,
        floor="raw-patients",
        min_ratio=0.25,
        description="therapist API patient list, first page (token auth) — issue 6",
    )
)
register(
    HttpScenario(
        name="raw-upcoming",
        path="/bench/upcoming/",
        requests=_raw_floor("/bench/upcoming/"),
        prepare=_therapist_prepare,
        floor="plain",
        requires_path="/api/v1/dashboard/upcoming-appointments/",
        description="dashboard floor: plain view, upcoming appointments' first page in raw SQL",
    )
)
register(
    HttpScenario(
        name="dashboard",
        path="/api/v1/dashboard/upcoming-appointments/",
        requests=_authorised("/api/v1/dashboard/upcoming-appointments/"),
        prepare=_therapist_prepare,
        floor="raw-upcoming",
        min_ratio=0.25,
        description="therapist API upcoming-appointments dashboard (token auth) — issue 6",
    )
)


# -- issue 12: the workspace pages in the admin (session login, unfold skin) -------------------------------------
#
# Each floor reads the same rows with hand-written SQL and prints them with a plain template
# (bench/workspace_views.py); the admin page adds the session and permission checks, the skin and the sidebar.


def _admin_session_prepare(ctx: BenchContext) -> None:
    """clinician3 as a staff login with a database session (the admin's cookie), and a patient with a chart."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    _therapist_prepare(ctx)
    if "admin_session" in ctx.extras:
        return
    from practice.models import Therapist

    user = Therapist.objects.get(pk=ctx.extras["therapist_id"]).user
    assert user is not None
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    ctx.extras["admin_session"] = session.session_key
    with connection.cursor() as cursor:
        # The clinician's patient with the most mood entries: the busiest chart.
        cursor.execute(
            """SELECT p.id FROM practice_patient p JOIN practice_moodentry m ON m.patient_id = p.id
                           WHERE p.therapist_id = %s GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 1""",
            [ctx.extras["therapist_id"]],
        )
        ctx.extras["chart_patient"] = str(cursor.fetchone()[0])


def _admin_page(path: str) -> RequestFactory:
    def factory(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
        headers = (("Cookie", f"sessionid={ctx.extras['admin_session']}"),)
        return [Request("GET", path.format(**ctx.extras), headers, b"")] * min(count, 1000)

    return factory


def _workspace_floor(path: str) -> RequestFactory:
    def factory(ctx: BenchContext, round_index: int, count: int) -> Sequence[Request]:
        headers = (("X-Therapist", ctx.extras["therapist_id"]),)
        return [Request("GET", path.format(**ctx.extras), headers, b"")] * min(count, 1000)

    return factory


for _name, _admin, _floor, _what in (
    ("home", "/admin/", "/bench/home/", "the therapist's home (today, the week ahead, notes to sign, risks, bills)"),
    ("calendar-week", "/admin/practice/appointment/calendar/", "/bench/calendar-week/", "this week's calendar"),
    (
        "patient-chart",
        "/admin/practice/patient/{chart_patient}/chart/",
        "/bench/patient-chart/?patient={chart_patient}",
        "the patient chart (header, mood and progress series, notes, upcoming)",
    ),
):
    register(
        HttpScenario(
            name=f"raw-{_name}",
            path=_floor.split("{")[0] if "{" in _floor else _floor,
            requests=_workspace_floor(_floor),
            prepare=_admin_session_prepare,
            floor="plain",
            requires_path=_admin.split("{")[0],
            description=f"floor: {_what} from hand-written SQL, plain template",
        )
    )
    register(
        HttpScenario(
            name=_name,
            path=_admin.split("{")[0],
            requests=_admin_page(_admin),
            prepare=_admin_session_prepare,
            floor=f"raw-{_name}",
            min_ratio=0.40,
            min_rate=100,
            description=f"admin: {_what} — issue 12",
        )
    )
