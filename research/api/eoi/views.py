"""``/api/v1/research/staff/eois/``: the EOI review queue for research staff (issue 5).

List (paginated, filtered by status/audience choices — never e-mail addresses in query strings), the mapping
preview, and the workflow actions start / convert / reject. Thin views: input serializer → one service →
output serializer; a wrong state is a 409 (``InvalidTransition``), a missing reason a 400 with field errors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from research import selectors
from research.api.eoi.serializers import (
    EOIConversionPreviewSerializer,
    EOIConversionSerializer,
    EOIQueueQuerySerializer,
    EOIRejectInputSerializer,
    EOIReviewItemSerializer,
)
from research.api.permissions import IsResearchStaff
from research.eoi_mapping import is_verified
from research.models import ExpressionOfInterest, ReviewSource
from research.services import eoi_convert_to_profile, eoi_reject, eoi_start_review
from sanctuary.api import plumbing
from sanctuary.api.idempotency import IdempotentMixin
from sanctuary.api.schema import LIST_ERRORS, error_responses


class StaffEOIView(IdempotentMixin, APIView):
    permission_classes = (IsAuthenticated, IsResearchStaff)

    def get_queryset(self) -> QuerySet[ExpressionOfInterest]:
        # Research staff review every EOI; the permission class is the scope (no clinical data here).
        return selectors.eois_for_staff()

    def get_eoi(self, pk: Any) -> ExpressionOfInterest:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def eoi_body(self, pk: Any) -> dict[str, Any]:
        return EOIReviewItemSerializer(self.get_eoi(pk)).data


class EOIListView(generics.ListAPIView):
    permission_classes = (IsAuthenticated, IsResearchStaff)
    serializer_class = EOIReviewItemSerializer

    def get_queryset(self) -> QuerySet[ExpressionOfInterest]:
        query = plumbing.validated_query(EOIQueueQuerySerializer, self.request.query_params)
        return selectors.eoi_review_queue(status=query.get("status"), audience=query.get("audience"))

    @extend_schema(
        operation_id="research_staff_eoi_list",
        parameters=[EOIQueueQuerySerializer],
        responses={200: EOIReviewItemSerializer(many=True), **LIST_ERRORS},
        tags=["research staff"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class EOIPreviewView(StaffEOIView):
    @extend_schema(
        operation_id="research_staff_eoi_preview",
        responses={200: EOIConversionPreviewSerializer, **error_responses(401, 403, 404)},
        tags=["research staff"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        eoi = self.get_eoi(pk)
        existing, plan = selectors.eoi_conversion_preview(eoi=eoi)
        return Response(
            EOIConversionPreviewSerializer(
                {
                    "eoi": eoi,
                    "merge_into": existing.pk if existing else None,
                    "merge_into_verified": existing is not None and is_verified(existing),
                    "fields": [f.as_dict() for f in plan],
                }
            ).data
        )


class EOIStartReviewView(StaffEOIView):
    @extend_schema(
        operation_id="research_staff_eoi_start_review",
        request=None,
        responses={200: EOIReviewItemSerializer, **error_responses(401, 403, 404, 409)},
        tags=["research staff"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        eoi = self.get_eoi(pk)
        eoi_start_review(eoi_id=eoi.pk, actor=request.user, source=ReviewSource.API)
        return Response(self.eoi_body(eoi.pk))


class EOIConvertView(StaffEOIView):
    @extend_schema(
        operation_id="research_staff_eoi_convert",
        request=None,
        responses={200: EOIConversionSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["research staff"],
        description="Create a therapist profile from the EOI, or merge it into the therapist with the same e-mail "
        "(fills empty fields only). 409 when the EOI is not pending or in progress.",
    )
    def post(self, request: Request, pk: Any) -> Response:
        eoi = self.get_eoi(pk)
        result = eoi_convert_to_profile(eoi_id=eoi.pk, actor=request.user, source=ReviewSource.API)
        return Response(
            EOIConversionSerializer(
                {
                    "eoi": self.get_eoi(eoi.pk),
                    "therapist": result.therapist.pk,
                    "created": result.created,
                    "fields": [f.as_dict() for f in result.plan],
                }
            ).data
        )


class EOIRejectView(StaffEOIView):
    @extend_schema(
        operation_id="research_staff_eoi_reject",
        request=EOIRejectInputSerializer,
        responses={200: EOIReviewItemSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["research staff"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        eoi = self.get_eoi(pk)
        body = EOIRejectInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        eoi_reject(eoi_id=eoi.pk, actor=request.user, reason=body.validated_data["reason"], source=ReviewSource.API)
        return Response(self.eoi_body(eoi.pk))
