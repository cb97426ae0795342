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

from django.db import models
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practice.models import Therapist
from practice.models.therapists import DirectoryStatus, ServiceType
from research import selectors
from research.api.permissions import IsResearchStaff
from research.models import Feedback, FeedbackStatus, FunnelStage, SurveyResponse
from research.models.options import (
    FeedbackAudience,
    PageSection,
    ProcessingStatus,
    Profession,
    YesMaybeLaterNo,
    YesMaybeNo,
    YesNo,
)
from sanctuary.api import plumbing
from sanctuary.api.schema import LIST_ERRORS, error_responses

TAGS = ["research staff"]


class StaffMixin(APIView):
    permission_classes: Sequence[Any] = [IsResearchStaff]

    def query_params(self, serializer_class: type) -> dict[str, Any]:
        params = plumbing.validated_query(serializer_class, self.request.query_params)
        return {key: value for key, value in params.items() if value is not None}


# --- directory ------------------------------------------------------------------------------------------------

class DirectoryQuerySerializer(serializers.Serializer):
    q = plumbing.CharField(required=False, max_length=100,
                           help_text="Part of a therapist's name or organisation (practitioners, not patients).")
    region = plumbing.CharField(required=False, max_length=100, help_text="Exact region (any case).")
    state = plumbing.CharField(required=False, max_length=10, help_text="Exact state (any case), e.g. VIC.")
    profession = plumbing.CharField(required=False, max_length=100, help_text="Exact profession (any case).")
    directory_status = serializers.ChoiceField(choices=DirectoryStatus.choices, required=False)
    service_type = serializers.ChoiceField(choices=ServiceType.choices, required=False)
    accepting_new_clients = serializers.BooleanField(required=False, allow_null=True, default=None)
    research_stage = serializers.ChoiceField(choices=FunnelStage.choices, required=False,
                                             help_text="Funnel stage reached; 0 also matches never invited.")


class DirectoryTherapistSerializer(serializers.ModelSerializer):
    full_name = plumbing.CharField(read_only=True)
    research_stage = serializers.SerializerMethodField()
    research_variant = serializers.SerializerMethodField()

    class Meta:
        model = Therapist
        fields = [
            "id", "full_name", "first_name", "last_name", "title", "email", "profession", "organisation",
            "region", "suburb", "state", "postcode", "service_types", "accepting_new_clients", "bulk_billing",
            "directory_status", "profile_source", "is_active", "research_stage", "research_variant",
        ]
        read_only_fields = fields

    def _state(self, therapist: Therapist) -> Any:
        return getattr(therapist, "research_state", None)

    def get_research_stage(self, therapist: Therapist) -> int:
        state = self._state(therapist)
        return state.stage if state is not None else FunnelStage.NOT_INVITED

    def get_research_variant(self, therapist: Therapist) -> str:
        state = self._state(therapist)
        return state.variant if state is not None else ""


def directory_search(*, filters: dict[str, Any]) -> QuerySet[Therapist]:
    """Directory therapists with their research state (one LEFT JOIN), filtered, by name."""
    therapists = Therapist.objects.select_related("research_state").order_by("last_name", "first_name", "pk")
    text = " ".join(str(filters.get("q", "")).split())
    if text:
        therapists = therapists.filter(
            Q(first_name__icontains=text) | Q(last_name__icontains=text) | Q(preferred_name__icontains=text)
            | Q(organisation__icontains=text)
        )
    for name in ("region", "state", "profession"):
        if name in filters:
            therapists = therapists.filter(**{f"{name}__iexact": filters[name]})
    if "directory_status" in filters:
        therapists = therapists.filter(directory_status=filters["directory_status"])
    if "service_type" in filters:
        therapists = therapists.filter(service_types__contains=[filters["service_type"]])
    if "accepting_new_clients" in filters:
        therapists = therapists.filter(accepting_new_clients=filters["accepting_new_clients"])
    if "research_stage" in filters:
        stage = filters["research_stage"]
        reached = Q(research_state__stage=stage)
        if stage == FunnelStage.NOT_INVITED:
            reached |= Q(research_state__isnull=True)
        therapists = therapists.filter(reached)
    return therapists


@extend_schema_view(get=extend_schema(tags=TAGS, parameters=[DirectoryQuerySerializer], responses={
    200: DirectoryTherapistSerializer(many=True), **LIST_ERRORS}, summary="Search the therapist directory"))
class TherapistDirectoryView(StaffMixin, generics.ListAPIView):
    serializer_class = DirectoryTherapistSerializer

    def get_queryset(self) -> QuerySet[Therapist]:
        return directory_search(filters=self.query_params(DirectoryQuerySerializer))


# --- survey responses --------------------------------------------------------------------------------------------

class SurveyQuerySerializer(serializers.Serializer):
    processing_status = serializers.ChoiceField(choices=ProcessingStatus.choices, required=False)
    profession = serializers.ChoiceField(choices=Profession.choices, required=False)
    therapist = serializers.UUIDField(required=False, help_text="Only this therapist's response (their id).")


def _answer(values: type[models.TextChoices]) -> serializers.CharField:
    # A plain string in the schema: the public intake serializer already names these choice sets, and a
    # second, read-only copy of each (with the blank "not answered") would collide with those names.
    return plumbing.CharField(read_only=True, help_text="One of: " + ", ".join(values.values) + "; or blank.")


class StaffSurveyResponseSerializer(serializers.ModelSerializer):
    therapist_name = serializers.SerializerMethodField()
    screens_clients = _answer(YesNo)
    open_to_sharing = _answer(YesMaybeNo)
    personality_test = _answer(YesMaybeNo)
    free_listing_interest = _answer(YesMaybeLaterNo)
    profile_intent = _answer(YesMaybeLaterNo)
    future_contact = _answer(YesNo)

    class Meta:
        model = SurveyResponse
        fields = [
            "id", "submitted_at", "therapist", "therapist_name", "email", "profession", "profession_other",
            "years_practice", "client_types", "modalities", "clients_find_you", "match_factors", "biggest_gap",
            "screens_clients", "open_to_sharing", "questions_matter", "personality_test", "too_personal",
            "profile_detail_level", "onboarding_time", "free_listing_interest", "profile_intent",
            "future_contact", "comments", "fee_per_match", "monthly_subscription", "sandbox_visited",
            "processing_status", "notes",
        ]
        read_only_fields = fields

    def get_therapist_name(self, response: SurveyResponse) -> str | None:
        return response.therapist.full_name if response.therapist is not None else None


@extend_schema_view(get=extend_schema(tags=TAGS, parameters=[SurveyQuerySerializer], responses={
    200: StaffSurveyResponseSerializer(many=True), **LIST_ERRORS}, summary="Survey responses, newest first"))
class SurveyResponseListView(StaffMixin, generics.ListAPIView):
    serializer_class = StaffSurveyResponseSerializer

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        filters = self.query_params(SurveyQuerySerializer)
        responses = SurveyResponse.objects.select_related("therapist").order_by("-submitted_at", "pk")
        if "therapist" in filters:
            filters["therapist_id"] = filters.pop("therapist")
        return responses.filter(**filters)


# --- feedback ------------------------------------------------------------------------------------------------------

class FeedbackQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FeedbackStatus.choices, required=False)
    rating = serializers.IntegerField(required=False, min_value=1, max_value=5)
    section = serializers.ChoiceField(choices=PageSection.choices, required=False)
    audience = serializers.ChoiceField(choices=FeedbackAudience.choices, required=False)
    therapist = serializers.UUIDField(required=False, help_text="Only feedback linked to this therapist (their id).")


class StaffFeedbackSerializer(serializers.ModelSerializer):
    therapist_name = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id", "submitted_at", "rating", "comment", "tags", "section", "audience", "page_path", "page_title",
            "status", "therapist", "therapist_name", "survey_response",
        ]
        read_only_fields = fields

    def get_therapist_name(self, feedback: Feedback) -> str | None:
        return feedback.therapist.full_name if feedback.therapist is not None else None


@extend_schema_view(get=extend_schema(tags=TAGS, parameters=[FeedbackQuerySerializer], responses={
    200: StaffFeedbackSerializer(many=True), **LIST_ERRORS}, summary="Widget feedback, newest first"))
class FeedbackListView(StaffMixin, generics.ListAPIView):
    serializer_class = StaffFeedbackSerializer

    def get_queryset(self) -> QuerySet[Feedback]:
        filters = self.query_params(FeedbackQuerySerializer)
        feedback = Feedback.objects.select_related("therapist").order_by("-submitted_at", "pk")
        if "therapist" in filters:
            filters["therapist_id"] = filters.pop("therapist")
        return feedback.filter(**filters)


# --- funnel ----------------------------------------------------------------------------------------------------

class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    label = plumbing.CharField()  # type: ignore[assignment]  # a data field; shadows Field.label only in the stubs
    count = serializers.IntegerField(help_text="Therapists whose furthest stage is this one.")
    reached = serializers.IntegerField(help_text="Therapists at this stage or beyond.")


class FunnelVariantSerializer(serializers.Serializer):
    variant = plumbing.CharField(help_text="A or B (— for invitations outside the experiment).")
    invited = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    completed = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    bounced = serializers.IntegerField()
    open_rate = serializers.FloatField(help_text="Percent of invited.")
    click_rate = serializers.FloatField(help_text="Percent of invited.")
    completion_rate = serializers.FloatField(help_text="Percent of invited.")


class FunnelSerializer(serializers.Serializer):
    stages = FunnelStageSerializer(many=True)
    variants = FunnelVariantSerializer(many=True, help_text="EXP-01 A/B comparison (as on the admin funnel page).")


class FunnelView(StaffMixin, generics.GenericAPIView):
    serializer_class = FunnelSerializer

    @extend_schema(tags=TAGS, responses={200: FunnelSerializer, **error_responses(401, 403)},
                   summary="Outreach funnel: therapists per stage and the A/B comparison")
    def get(self, request: Request) -> Response:
        body = {"stages": selectors.funnel_stage_counts(), "variants": selectors.funnel_by_variant()}
        return Response(FunnelSerializer(body).data)
