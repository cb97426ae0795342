"""The access matrix: who may call which ``/api/v1/`` endpoint, with which result.

Every route under ``/api/v1/`` and every HTTP method its view implements must have an entry in
``MATRIX``; ``test_every_api_endpoint_is_in_the_matrix`` fails for a new endpoint nobody classified.
Each entry says, per role, what calling the endpoint on the owner's objects must return. Who plays each
role depends on the endpoint's ``audience`` (see ``tests/api/conftest.py``):

=============  =====================  ==========================================  ===============
audience       owner                  other_same_role                             no_role
=============  =====================  ==========================================  ===============
``self``       alice                  bob                                         charlie
``therapist``  alice (therapist A)    bob (therapist B, his own patients)         charlie
``patient``    pat_a (A's patient)    pat_b (another patient of the same A)       charlie
``staff``      rita (research staff)  alice (a therapist: not research staff)     charlie
=============  =====================  ==========================================  ===============

Objects are built by the ``world`` fixture and addressed through ``kwargs``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "owner", "other_same_role", "no_role")


@dataclass(frozen=True)
class Expect:
    """Expected status per role; ``owner`` may be a set when the body decides (e.g. 200 or 400)."""

    anonymous: int | frozenset[int]
    owner: int | frozenset[int]
    other_same_role: int | frozenset[int]
    no_role: int | frozenset[int]
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def for_role(self, role: str) -> frozenset[int]:
        value = getattr(self, role)
        return value if isinstance(value, frozenset) else frozenset({value})


@dataclass(frozen=True)
class Endpoint:
    """One route: how to fill its URL kwargs from the world, and what each method must return."""

    route: str
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda world: {})
    methods: dict[str, Expect] = field(default_factory=dict)
    audience: str = "self"


def api_routes(prefix: str = "api/v1/") -> Iterator[tuple[str, type]]:
    """(namespaced route name, view class) for every named route under ``prefix``."""

    def walk(patterns: list[Any], path: str, namespace: str) -> Iterator[tuple[str, str, Any]]:
        for pattern in patterns:
            here = path + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, here, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield here, f"{namespace}{pattern.name}", pattern.callback

    for path, name, callback in walk(get_resolver().url_patterns, "", ""):
        if path.startswith(prefix):
            view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            if getattr(callback, "actions", None):
                # A ViewSet route: its method → action map lives on the view function, not on the class.
                view = callback
            yield name, view


def implemented_methods(view: type, name: str) -> set[str]:
    actions = getattr(view, "actions", None)
    if actions:  # a ViewSet route: only the mapped actions exist on this URL
        return {method.upper() for method in actions if method not in ("options", "head")}
    allowed = {m for m in getattr(view, "http_method_names", []) if m not in ("options", "head")}
    return {m.upper() for m in allowed if hasattr(view, m)}
