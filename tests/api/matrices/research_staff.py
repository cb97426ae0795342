"""Research staff reads ``/api/v1/research/staff/``: rita (research staff) 200; a therapist or a user
with no role 403; anonymous 401. Nothing here belongs to one owner, so there is no 404 case."""

from __future__ import annotations

from tests.api.access import Endpoint, Expect

STAFF_ONLY = Expect(anonymous=401, owner=200, other_same_role=403, no_role=403)

ENDPOINTS: list[Endpoint] = [
    Endpoint(f"v1:research-staff:{name}", audience="staff", methods={"GET": STAFF_ONLY})
    for name in ("therapist-list", "survey-list", "feedback-list", "funnel")
]
