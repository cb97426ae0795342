"""Research staff EOI review (issue 5): only research staff (rita); a therapist (alice) and charlie get 403."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from research.models import EOIAudience, ExpressionOfInterest, ProfileStatus
from tests.api.access import Endpoint, Expect

STAFF_ONLY = Expect(anonymous=401, owner=200, other_same_role=403, no_role=403)
STAFF_REJECT = Expect(
    anonymous=401,
    owner=200,
    other_same_role=403,
    no_role=403,
    body=lambda world: {"reason": "Not a registered practitioner"},
)


def _eoi(world: dict[str, Any]) -> dict[str, Any]:
    """A pending therapist EOI, made once per world (each matrix case gets a fresh world)."""
    if "eoi" not in world:
        world["eoi"] = ExpressionOfInterest.objects.create(
            audience=EOIAudience.THERAPIST,
            email="new.applicant@example.test",
            email_consent=True,
            submitted_at=timezone.now(),
            full_name="Dr. Jane van der Berg",
            professional_title="Psychologist",
            organisation="Harbour Psychology",
            profile_status=ProfileStatus.PENDING,
        )
    return {"pk": world["eoi"].pk}


ENDPOINTS: list[Endpoint] = [
    Endpoint("v1:eoi-review:list", audience="staff", methods={"GET": STAFF_ONLY}),
    Endpoint("v1:eoi-review:preview", audience="staff", kwargs=_eoi, methods={"GET": STAFF_ONLY}),
    Endpoint("v1:eoi-review:start-review", audience="staff", kwargs=_eoi, methods={"POST": STAFF_ONLY}),
    Endpoint("v1:eoi-review:convert", audience="staff", kwargs=_eoi, methods={"POST": STAFF_ONLY}),
    Endpoint("v1:eoi-review:reject", audience="staff", kwargs=_eoi, methods={"POST": STAFF_REJECT}),
]
