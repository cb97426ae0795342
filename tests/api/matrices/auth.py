"""Authentication endpoints: login is public (an empty body is a 400); the rest act on the caller's own tokens."""

from __future__ import annotations

from tests.api.access import Endpoint, Expect

PUBLIC_BAD_BODY = Expect(anonymous=400, owner=400, other_same_role=400, no_role=400)
SELF_SERVICE = Expect(anonymous=401, owner=200, other_same_role=200, no_role=200)
SELF_ACTION = Expect(anonymous=401, owner=204, other_same_role=204, no_role=204)

ENDPOINTS: list[Endpoint] = [
    Endpoint("v1:auth:login", methods={"POST": PUBLIC_BAD_BODY}),
    Endpoint("v1:auth:logout", methods={"POST": SELF_ACTION}),
    Endpoint("v1:auth:logout-all", methods={"POST": SELF_ACTION}),
    Endpoint("v1:auth:token-list", methods={"GET": SELF_SERVICE}),
    Endpoint(
        "v1:auth:token-detail",
        kwargs=lambda world: {"token_key": world["owner_token"].token_key},
        methods={"DELETE": Expect(anonymous=401, owner=204, other_same_role=404, no_role=404)},
    ),
]
