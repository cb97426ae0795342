"""Schemathesis against the live OpenAPI schema, with **every** check it has: no 5xx, every status code,
content type, header and body as documented, every schema-valid request accepted and every schema-invalid one
refused, no auth ignored, no resource usable after its deletion.

The app runs in a server thread on 127.0.0.1 (a free port) over the test database; the schema is loaded
from its own ``/api/schema/``, and nothing else is contacted. Each operation gets a bounded number of
generated cases (``MAX_EXAMPLES``, deterministic: at least ``MIN_CASES`` in all), sent with a token of the
role the endpoint is for: patient ``pat_a`` for ``/me/``, research staff ``rita`` for ``/research/staff/``,
therapist ``alice`` otherwise. The three self-revoking auth operations get a throwaway token per call, so
they cannot log the others out. Set ``SCHEMATHESIS_REPORT=FILE`` to get every failure in full.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import Group
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from pytest_django.live_server_helper import LiveServer
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sanctuary import roles

# Cases per operation: valid requests, and requests the schema says are invalid (which must be 4xx, and
# documented). Hypothesis stops early when an operation has fewer distinct inputs.
MAX_EXAMPLES = {GenerationMode.POSITIVE: 50, GenerationMode.NEGATIVE: 30}
MIN_CASES, MAX_CASES = 5000, 8000
# The run stops itself: past this, no further operation starts (each takes a few seconds).
TIME_BUDGET_SECONDS = 900
CASES: Counter[str] = Counter()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def local_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    with django_db_blocker.unblock():
        server = LiveServer("127.0.0.1:0")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()
    total = sum(CASES.values())
    print(f"\nschemathesis: {total} cases over {len(CASES)} operations")


@pytest.fixture
def role_groups(transactional_db: None) -> None:
    # A transactional test starts from a flushed database when another one ran before it; the world
    # needs the groups the data migrations normally create.
    for name in (roles.THERAPIST, roles.RESEARCH_STAFF):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of requests a minute from one user and one address: the rate limits (tested on their own in
    tests/sanctuary/test_throttles.py) would answer most of them 429."""
    from rest_framework.throttling import SimpleRateThrottle

    from practice.api.therapist.base import TherapistRateThrottle

    monkeypatch.setattr(TherapistRateThrottle, "rate", "1000000/min")
    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "1000000/min")


@pytest.fixture
def tokens(role_groups: None, unthrottled: None, world: dict[str, Any]) -> dict[str, str]:
    return {name: AuthToken.objects.create(user=world["users"][name])[1] for name in ("alice", "pat_a", "rita")}


# Rules an OpenAPI 3.0 schema cannot state: an id must name an existing object of the caller's, a token must
# be one the server signed, a day must not be in the future and a time must fall in 1900–2999 (the schema says
# so in words; "format: date-time" has no bounds), a survey's "Other" needs its text and "contact me" an
# e-mail address, and a patient's e-mail is unique within the practice. A schema-valid
# request that breaks only these gets a 400 with these messages; every other 400 of one is a failure.
BEYOND_THE_SCHEMA = (
    "object does not exist",
    "Invalid token",
    "Malformed token",
    "has expired",
    "cannot be for a future date",
    "Enter a real date",
    "Use a time between the years",
    "Please tell us what “Other” means here",
    "Please provide a valid email address so we can contact you",
    "already has a patient with this e-mail address",
)


@schemathesis.check
def positive_data_acceptance_within_the_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """``positive_data_acceptance``, except for 400s that name only ``BEYOND_THE_SCHEMA`` rules."""
    if response.status_code == 400:
        fields = (response.json().get("error") or {}).get("fields") or {}
        messages = [message for values in fields.values() for message in values]
        if messages and all(any(rule in m for rule in BEYOND_THE_SCHEMA) for m in messages):
            return None
    return positive_data_acceptance(ctx, response, case)


load_all_checks()
ALL = [check for check in CHECKS.get_all() if check is not positive_data_acceptance]
ALL.append(positive_data_acceptance_within_the_schema)
REVOKING = ("/api/v1/auth/logout/", "/api/v1/auth/logout-all/", "/api/v1/auth/tokens/{token_key}/")


def _token_for(path: str, tokens: dict[str, str], world: dict[str, Any]) -> str:
    if path in REVOKING:
        # Bob's: "log out everywhere" revokes every token of its user.
        return AuthToken.objects.create(user=world["users"]["bob"])[1]
    if path.startswith("/api/v1/me/"):
        return tokens["pat_a"]
    if path.startswith("/api/v1/research/staff/"):
        return tokens["rita"]
    return tokens["alice"]


def _fuzz(operation: Any, mode: GenerationMode, base_url: str, tokens: dict[str, str], world: dict[str, Any]) -> Any:
    @settings(
        max_examples=MAX_EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        CASES[operation.label] += 1
        if mode is GenerationMode.POSITIVE and case.headers and "Idempotency-Key" in case.headers:
            # A client's keys are unique; generated ones repeat (a short pattern), which is the 422 case.
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
        assert sum(CASES.values()) <= MAX_CASES
        case.call_and_validate(
            base_url=base_url,
            headers={"Authorization": f"Token {_token_for(operation.path, tokens, world)}"},
            checks=ALL,
            timeout=30,
        )

    return run


def test_the_api_answers_every_generated_request_as_documented(
    local_server: LiveServer,
    tokens: dict[str, str],
    world: dict[str, Any],
) -> None:
    # Driven through ``as_strategy`` rather than schemathesis' pytest plugin, which does not support
    # pytest 9 yet; the cases and checks are the same.
    schema = schemathesis.openapi.from_url(f"{local_server.url}/api/schema/", timeout=30)
    failures: list[str] = []
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        assert time.monotonic() - started < TIME_BUDGET_SECONDS, f"over the time budget at {operation.label}"
        for mode in MAX_EXAMPLES:
            try:
                _fuzz(operation, mode, local_server.url, tokens, world)()
            except Unsatisfiable:
                # No parameters and no body: there is no invalid request to make.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as error:  # collect every failure, report them together
                failures.append(f"{operation.label} ({mode.value}): {error}")
    if os.environ.get("SCHEMATHESIS_REPORT"):  # the whole list, which pytest would truncate
        with open(os.environ["SCHEMATHESIS_REPORT"], "w") as report:
            report.write("\n\n".join(failures))
    assert failures == [], "\n\n".join(failures)
    assert operations >= 70 and sum(CASES.values()) >= MIN_CASES, (operations, sum(CASES.values()))
