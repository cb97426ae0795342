"""Public research endpoints: no login, throttled, CORS only for the site origins (settings), strict input.

Thin views: input serializer → one service → small JSON answer. Every bad input is a 400 with field
errors raised before any write; service-level rule violations become 400s too (never a 500).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from research import selectors, services
from research.api.public.serializers import (
    EOIReceipt,
    EOISerializer,
    FeedbackReceipt,
    FeedbackSerializer,
    SandboxVisitSerializer,
    SessionOut,
    SurveyReceipt,
    SurveySubmitSerializer,
)
from research.tokens import InvalidToken, survey_token_read
from sanctuary.api.idempotency import IdempotentMixin
from sanctuary.api.plumbing import FormParser, JSONParser, TextJSONParser
from sanctuary.api.schema import error_responses
from sanctuary.throttles import ScopedRateThrottle

# Every public endpoint: bad input, a body over RESEARCH_MAX_BODY_BYTES, the per-IP throttle.
PUBLIC_ERRORS = error_responses(400, 413, 429)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class PublicEndpoint(IdempotentMixin, APIView):
    authentication_classes = ()  # no sessions, no CSRF: nothing here acts on a logged-in user
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "research_intake"
    renderer_classes = (JSONRenderer,)  # answers for the site's scripts: no browsable-API negotiation
    parser_classes: tuple[type[BaseParser], ...] = (JSONParser,)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.RESEARCH_MAX_BODY_BYTES:
            raise PayloadTooLarge()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    def validated(self, serializer_class: type[serializers.Serializer], request: Request) -> Any:
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SurveySessionView(PublicEndpoint):
    """GET the survey session for a signed invitation token: prefill and consent text version."""

    @extend_schema(
        responses={200: SessionOut, **PUBLIC_ERRORS},
        operation_id="research_survey_session",
        parameters=[
            OpenApiParameter(
                "token",
                {"type": "string", "minLength": 1, "maxLength": 1000},
                required=True,
                description="The signed invitation token from the e-mail link.",
            )
        ],
    )
    def get(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        if not token:
            raise exceptions.ValidationError({"token": ["This field is required."]})
        try:
            claims = survey_token_read(token)
        except InvalidToken as exc:
            raise exceptions.ValidationError({"token": [str(exc)]}) from exc
        session = selectors.survey_session(therapist_id=claims.therapist_id)
        if session is None:
            raise exceptions.ValidationError({"token": ["This invitation no longer matches a participant."]})
        return Response(
            {
                **session,
                "consent": {"version": settings.RESEARCH_CONSENT_VERSION, "link": "/legal/privacy-policy.html"},
            }
        )


class SurveyResponseView(PublicEndpoint):
    """POST the survey answers; the same token updates the same response."""

    @extend_schema(
        request=SurveySubmitSerializer,
        responses={201: SurveyReceipt, 200: SurveyReceipt, **PUBLIC_ERRORS},
        operation_id="research_survey_submit",
    )
    def post(self, request: Request) -> Response:
        data = self.validated(SurveySubmitSerializer, request)
        now = timezone.now()
        metadata = data.get("metadata") or {}
        utm = metadata.get("utm") or {}
        provenance = {
            "session_id": data.get("session_id", ""),
            "referrer": metadata.get("referrer", ""),
            "landing_path": metadata.get("landing_path", ""),
            "sandbox_visited": metadata.get("sandbox_visit", False),
            **{f"utm_{key}": utm.get(key, "") for key in ("source", "medium", "campaign", "content", "term")},
        }
        consent = data["consent"]
        response, existed = services.survey_response_submit(
            claims=data["token"],
            answers=data["survey"],
            consent_version=consent["version"],
            consented_at=consent.get("timestamp") or now,
            submitted_at=now,
            provenance=provenance,
        )
        return Response(
            {"id": str(response.pk), "updated": existed},
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class FeedbackView(PublicEndpoint):
    @extend_schema(
        request=FeedbackSerializer,
        responses={201: FeedbackReceipt, **PUBLIC_ERRORS},
        operation_id="research_feedback_submit",
    )
    def post(self, request: Request) -> Response:
        data = self.validated(FeedbackSerializer, request)
        feedback = services.feedback_submit(
            fields=data["fields"],
            claims=data["claims"],
            submitted_at=data["created_at"] or timezone.now(),
        )
        return Response({"id": str(feedback.pk)}, status=status.HTTP_201_CREATED)


class EOIView(PublicEndpoint):
    parser_classes = (JSONParser, FormParser)

    @extend_schema(
        request=EOISerializer, responses={201: EOIReceipt, **PUBLIC_ERRORS}, operation_id="research_eoi_submit"
    )
    def post(self, request: Request) -> Response:
        raw = request.data
        if isinstance(raw, QueryDict):  # form-encoded, as the original landing page posts
            data: dict[str, Any] = dict(raw.items())
            for name in ("therapy_interests", "email_preferences"):
                if name in raw:
                    data[name] = raw.getlist(name)
        elif isinstance(raw, dict):
            data = raw
        else:
            raise exceptions.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        serializer = EOISerializer(data=data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if fields.pop("_honey", ""):
            # A bot filled the invisible field: answer like a success, store nothing.
            return Response({"status": "received"}, status=status.HTTP_201_CREATED)
        services.eoi_submit(fields=fields, submitted_at=timezone.now())
        return Response({"status": "received"}, status=status.HTTP_201_CREATED)


class SandboxVisitView(PublicEndpoint):
    """Beacon from the sandbox page, authenticated by the signed token (never a bare e-mail)."""

    throttle_scope = "research_beacon"
    parser_classes = (JSONParser, TextJSONParser)

    @extend_schema(
        request=SandboxVisitSerializer, responses={204: None, **PUBLIC_ERRORS}, operation_id="research_sandbox_visit"
    )
    def post(self, request: Request) -> Response:
        data = self.validated(SandboxVisitSerializer, request)
        services.sandbox_visit_record(
            claims=data["token"], occurred_at=timezone.now(), session_id=data["session_id"], page_path=data["page_path"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
