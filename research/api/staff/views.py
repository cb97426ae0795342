"""Research staff endpoints (``/api/v1/research/staff/``): the therapist directory, survey responses,
widget feedback and the outreach funnel. Read-only; ``IsResearchStaff`` only (therapists and patients 403).

The EOI review queue under ``research/staff/eois/`` is the EOI workflow's and lives elsewhere.

Directory search takes its text as ``q`` in the query string: it matches practitioners' names and
organisations, which are public directory data, never a patient's. Everything else filters by choice
values or ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practice.models import Therapist
from research import selectors
from research.api.permissions import IsResearchStaff
from research.api.staff.serializers import (
    DirectoryQuerySerializer,
    DirectoryTherapistSerializer,
    FeedbackQuerySerializer,
    FunnelSerializer,
    StaffFeedbackSerializer,
    StaffSurveyResponseSerializer,
    SurveyQuerySerializer,
)
from research.models import Feedback, SurveyResponse
from sanctuary.api import plumbing
from sanctuary.api.schema import LIST_ERRORS, error_responses

TAGS = ["research staff"]


class StaffMixin(APIView):
    permission_classes: Sequence[Any] = [IsResearchStaff]

    def query_params(self, serializer_class: type) -> dict[str, Any]:
        params = plumbing.validated_query(serializer_class, self.request.query_params)
        return {key: value for key, value in params.items() if value is not None}


# --- directory ------------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        parameters=[DirectoryQuerySerializer],
        responses={200: DirectoryTherapistSerializer(many=True), **LIST_ERRORS},
        summary="Search the therapist directory",
    )
)
class TherapistDirectoryView(StaffMixin, generics.ListAPIView):
    serializer_class = DirectoryTherapistSerializer

    def get_queryset(self) -> QuerySet[Therapist]:
        return selectors.directory_search(filters=self.query_params(DirectoryQuerySerializer))


# --- survey responses --------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        parameters=[SurveyQuerySerializer],
        responses={200: StaffSurveyResponseSerializer(many=True), **LIST_ERRORS},
        summary="Survey responses, newest first",
    )
)
class SurveyResponseListView(StaffMixin, generics.ListAPIView):
    serializer_class = StaffSurveyResponseSerializer

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        return selectors.survey_responses_for_staff(filters=self.query_params(SurveyQuerySerializer))


# --- feedback ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        parameters=[FeedbackQuerySerializer],
        responses={200: StaffFeedbackSerializer(many=True), **LIST_ERRORS},
        summary="Widget feedback, newest first",
    )
)
class FeedbackListView(StaffMixin, generics.ListAPIView):
    serializer_class = StaffFeedbackSerializer

    def get_queryset(self) -> QuerySet[Feedback]:
        return selectors.feedback_for_staff(filters=self.query_params(FeedbackQuerySerializer))


# --- funnel ----------------------------------------------------------------------------------------------------


class FunnelView(StaffMixin, generics.GenericAPIView):
    serializer_class = FunnelSerializer

    @extend_schema(
        tags=TAGS,
        responses={200: FunnelSerializer, **error_responses(401, 403)},
        summary="Outreach funnel: therapists per stage and the A/B comparison",
    )
    def get(self, request: Request) -> Response:
        body = {"stages": selectors.funnel_stage_counts(), "variants": selectors.funnel_by_variant()}
        return Response(FunnelSerializer(body).data)
