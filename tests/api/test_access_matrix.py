"""Every API endpoint × method × role, against Alice's objects: owners succeed, others get 404, anonymous 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.api.access import ROLES, api_routes, implemented_methods
from tests.api.conftest import client_for
from tests.api.matrix import MATRIX

CASES = [(endpoint, method, role) for endpoint in MATRIX for method in endpoint.methods for role in ROLES]


def test_every_api_endpoint_is_in_the_matrix() -> None:
    classified = {(e.route, m) for e in MATRIX for m in e.methods}
    missing = sorted(
        (name, method)
        for name, view in api_routes()
        for method in implemented_methods(view, name)
        if (name, method) not in classified
    )
    assert missing == [], f"endpoints with no access expectations: {missing}"


def test_the_matrix_names_no_endpoint_that_does_not_exist() -> None:
    existing = {(name, m) for name, view in api_routes() for m in implemented_methods(view, name)}
    stale = sorted((e.route, m) for e in MATRIX for m in e.methods if (e.route, m) not in existing)
    assert stale == []


@pytest.mark.parametrize(("endpoint", "method", "role"), CASES, ids=[f"{e.route}-{m}-{r}" for e, m, r in CASES])
def test_access(endpoint: Any, method: str, role: str, world: dict[str, Any]) -> None:
    expect = endpoint.methods[method]
    url = reverse(endpoint.route, kwargs=endpoint.kwargs(world))
    body = expect.body(world) if expect.body else {}
    response = getattr(client_for(role, world, endpoint.audience), method.lower())(url, body, format="json")
    assert response.status_code in expect.for_role(role), (
        f"{method} {url} as {role}: {response.status_code} {getattr(response, 'data', '')}"
    )
