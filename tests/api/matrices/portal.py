"""Patient portal ``/api/v1/me/``: pat_a reaches her own objects; pat_b (another patient of the same
therapist) gets her own lists but a 404 for pat_a's ids; a user who is no patient gets 403."""

from __future__ import annotations

from tests.api.access import Endpoint, Expect

OWN_LIST = Expect(anonymous=401, owner=200, other_same_role=200, no_role=403)
OWN_CREATE = Expect(
    anonymous=401,
    owner=201,
    other_same_role=201,
    no_role=403,
    body=lambda world: {"mood_rating": 5, "notes": "slept better"},
)
OWN_PROFILE_PATCH = Expect(
    anonymous=401, owner=200, other_same_role=200, no_role=403, body=lambda world: {"phone": "0400 000 001"}
)
OWNER_ONLY = Expect(anonymous=401, owner=200, other_same_role=404, no_role=403)
OWNER_CANCEL = Expect(
    anonymous=401, owner=200, other_same_role=404, no_role=403, body=lambda world: {"reason": "I have a work trip."}
)


def _pk(key: str):  # type: ignore[no-untyped-def]
    return lambda world: {"pk": world[key].pk}


ENDPOINTS: list[Endpoint] = [
    Endpoint("v1:portal:profile", audience="patient", methods={"GET": OWN_LIST, "PATCH": OWN_PROFILE_PATCH}),
    Endpoint("v1:portal:appointment-list", audience="patient", methods={"GET": OWN_LIST}),
    Endpoint("v1:portal:appointment-detail", _pk("appointment"), audience="patient", methods={"GET": OWNER_ONLY}),
    Endpoint("v1:portal:appointment-cancel", _pk("appointment"), audience="patient", methods={"POST": OWNER_CANCEL}),
    Endpoint("v1:portal:mood-list", audience="patient", methods={"GET": OWN_LIST, "POST": OWN_CREATE}),
    Endpoint("v1:portal:mood-detail", _pk("mood"), audience="patient", methods={"GET": OWNER_ONLY}),
    Endpoint("v1:portal:progress-list", audience="patient", methods={"GET": OWN_LIST}),
    Endpoint("v1:portal:progress-detail", _pk("progress"), audience="patient", methods={"GET": OWNER_ONLY}),
    Endpoint("v1:portal:invoice-list", audience="patient", methods={"GET": OWN_LIST}),
    Endpoint("v1:portal:invoice-summary", audience="patient", methods={"GET": OWN_LIST}),
    Endpoint("v1:portal:invoice-detail", _pk("invoice"), audience="patient", methods={"GET": OWNER_ONLY}),
]
