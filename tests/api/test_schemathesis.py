"""Schemathesis against the live OpenAPI schema: no 5xx and no undocumented status code, anywhere.

The app runs in a server thread on 127.0.0.1 (a free port) over the test database; the schema is loaded
from its own ``/api/schema/``, and nothing else is contacted. Each operation gets a bounded number of
generated cases (``MAX_EXAMPLES``, deterministic), sent with a token of the role the endpoint is for:
patient ``pat_a`` for ``/me/``, research staff ``rita`` for ``/research/staff/``, therapist ``alice``
otherwise. Revoking endpoints get a throwaway token per call, so they cannot log the others out.
"""

from __future__ import annotations

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
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from practice.selectors import THERAPIST_GROUP
from research.permissions import RESEARCH_STAFF_GROUP

# Cases per operation: valid requests, and requests the schema says are invalid (which must be 4xx, and
# documented). Hypothesis stops early when an operation has fewer distinct inputs.
MAX_EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}
MAX_CASES = 2000
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
    for name in (THERAPIST_GROUP, RESEARCH_STAFF_GROUP):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def tokens(role_groups: None, world: dict[str, Any]) -> dict[str, str]:
    return {name: AuthToken.objects.create(user=world["users"][name])[1] for name in ("alice", "pat_a", "rita")}


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


def _fuzz(operation: Any, mode: GenerationMode, base_url: str, tokens: dict[str, str],
          world: dict[str, Any]) -> Any:
    @settings(max_examples=MAX_EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        CASES[operation.label] += 1
        assert sum(CASES.values()) <= MAX_CASES
        case.call_and_validate(
            base_url=base_url,
            headers={"Authorization": f"Token {_token_for(operation.path, tokens, world)}"},
            checks=[not_a_server_error, status_code_conformance],
            timeout=30,
        )

    return run


def test_the_api_answers_every_generated_request_as_documented(
    local_server: LiveServer, tokens: dict[str, str], world: dict[str, Any],
) -> None:
    # Driven through ``as_strategy`` rather than schemathesis' pytest plugin, which does not support
    # pytest 9 yet; the cases and checks are the same.
    schema = schemathesis.openapi.from_url(f"{local_server.url}/api/schema/", timeout=30)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in MAX_EXAMPLES:
            try:
                _fuzz(operation, mode, local_server.url, tokens, world)()
            except Unsatisfiable:
                # No parameters and no body: there is no invalid request to make.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as error:  # collect every failure, report them together
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert failures == [], "\n\n".join(failures)
    assert operations >= 20 and sum(CASES.values()) > operations
    assert failures == [], "\n\n".join(failures)
