"""Public research intake: no login, the same answer for every caller; an empty or unsigned request is a 400."""

from __future__ import annotations

from tests.api.access import Endpoint, Expect

PUBLIC_BAD_REQUEST = Expect(anonymous=400, owner=400, other_same_role=400, no_role=400)

ENDPOINTS: list[Endpoint] = [
    Endpoint("v1:research-api:survey-session", methods={"GET": PUBLIC_BAD_REQUEST}),
    Endpoint("v1:research-api:survey-response", methods={"POST": PUBLIC_BAD_REQUEST}),
    Endpoint("v1:research-api:feedback", methods={"POST": PUBLIC_BAD_REQUEST}),
    Endpoint("v1:research-api:eoi", methods={"POST": PUBLIC_BAD_REQUEST}),
    Endpoint("v1:research-api:sandbox-visit", methods={"POST": PUBLIC_BAD_REQUEST}),
]
