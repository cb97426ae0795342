"""What every therapist endpoint shares: who may call it, its rate limit, its documented error responses,
and the requester's therapist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from rest_framework import serializers, viewsets

from practice.api.permissions import IsTherapist
from practice.models import Therapist
from sanctuary.api import plumbing, schema
from sanctuary.api.idempotency import IdempotentMixin
from sanctuary.api.schema import error_responses
from sanctuary.db import BoundQuery
from sanctuary.throttles import UserRateThrottle
from sanctuary.users import acting_user

READ_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (*READ_ERRORS, 409)


class TherapistSchema(schema.AutoSchema):
    """Documents the error envelope on every operation: 400 (bad filters or body), 401, 403, 404 (a foreign
    or missing id, or a page past the end), 429, and 409 on writes (a clash or a wrong workflow state)."""

    # drf-spectacular 0.30.0's private response helpers, as in sanctuary.api.schema.AutoSchema (same canary).
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction == "response":
            codes = READ_ERRORS if self.method == "GET" else WRITE_ERRORS
            for code, response in error_responses(*codes).items():
                if str(code) not in responses:
                    responses[str(code)] = self._get_response_for_code(response, str(code), direction=direction)
        return responses


class TherapistRateThrottle(UserRateThrottle):
    scope = "therapist_api"
    rate = getattr(settings, "THERAPIST_API_THROTTLE", "600/min")


class TherapistAPIMixin(IdempotentMixin):
    """Therapist only (``IsTherapist`` sets ``request.therapist``), throttled per user; creates and state changes
    honour ``Idempotency-Key``."""

    permission_classes: Sequence[Any] = [IsTherapist]
    throttle_classes: Sequence[Any] = [TherapistRateThrottle]
    schema: Any = TherapistSchema()
    read_only_actions = ("search",)
    request: Any
    swagger_fake_view = False

    @property
    def therapist(self) -> Therapist:
        therapist: Therapist = self.request.therapist
        return therapist

    @property
    def actor(self) -> User:
        return acting_user(self.request)

    def paginate_rows(self, rows: BoundQuery | list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """One page of a selector's rows (a ``BoundQuery`` pages like a queryset: ``count()`` and a slice)."""
        page: list[dict[str, Any]] | None = self.paginate_queryset(cast(Any, rows))  # type: ignore[attr-defined]
        return page

    def validated(self, serializer_class: type[serializers.Serializer], *, partial: bool = False) -> dict[str, Any]:
        """Validate the request body with an input serializer (400 with field errors on failure)."""
        return plumbing.validated_body(
            serializer_class, self.request.data, partial=partial, context={"request": self.request}
        )

    def validated_query(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        """Validate the query string (400 with field errors; a parameter given empty is an error too)."""
        return plumbing.validated_query(serializer_class, self.request.query_params)


class TherapistViewSet(TherapistAPIMixin, viewsets.GenericViewSet):
    pass
