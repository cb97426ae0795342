"""OpenAPI helpers: the one error envelope, and documented error responses for ``extend_schema``."""

from __future__ import annotations

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorBody = inline_serializer(
    name="ErrorBody",
    fields={
        "status": serializers.IntegerField(),
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False,
            help_text="Field name → messages; only for field-level validation errors.",
        ),
    },
)
ErrorEnvelope = inline_serializer(name="Error", fields={"error": ErrorBody})

_DESCRIPTIONS = {
    400: "Invalid input; `fields` lists the messages per field. Nothing was written.",
    401: "Not authenticated: missing, expired or revoked credentials.",
    403: "Authenticated, but this role may not use this endpoint.",
    404: "Not found, or not yours: other therapists' and patients' objects are indistinguishable from missing ones.",
    405: "Method not allowed.",
    409: "Conflicts with the current state (an overlapping booking, a wrong workflow state).",
    413: "Request body too large.",
    415: "Unsupported media type.",
    429: "Too many requests (rate limit or login lockout).",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorEnvelope, description=_DESCRIPTIONS[code]) for code in codes}


ERRORS_AUTHENTICATED = error_responses(401, 403)
# Paginated lists: 400 for a bad filter, 404 for a page number past the end (DRF's PageNumberPagination).
LIST_ERRORS = error_responses(400, 401, 403, 404)
ERRORS_PUBLIC = error_responses(400, 429)


class TokenScheme(KnoxTokenScheme):
    """Documents ``sanctuary.api.authentication.TokenAuthentication`` (knox's, one query) as knox's token scheme."""

    target_class = "sanctuary.api.authentication.TokenAuthentication"
