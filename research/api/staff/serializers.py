"""Research staff API bodies (``/api/v1/research/staff/``): query serializers (choice values and ids, a
directory search text) and the read-only rows the lists return."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from practice.models import Therapist
from practice.models.therapists import DirectoryStatus, ServiceType
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


class DirectoryQuerySerializer(serializers.Serializer):
    q = plumbing.CharField(
        required=False,
        max_length=100,
        help_text="Part of a therapist's name or organisation (practitioners, not patients).",
    )
    region = plumbing.CharField(required=False, max_length=100, help_text="Exact region (any case).")
    state = plumbing.CharField(required=False, max_length=10, help_text="Exact state (any case), e.g. VIC.")
    profession = plumbing.CharField(required=False, max_length=100, help_text="Exact profession (any case).")
    directory_status = serializers.ChoiceField(choices=DirectoryStatus.choices, required=False)
    service_type = serializers.ChoiceField(choices=ServiceType.choices, required=False)
    accepting_new_clients = serializers.BooleanField(required=False, allow_null=True, default=None)
    research_stage = serializers.ChoiceField(
        choices=FunnelStage.choices, required=False, help_text="Funnel stage reached; 0 also matches never invited."
    )


class DirectoryTherapistSerializer(serializers.ModelSerializer):
    full_name = plumbing.CharField(read_only=True)
    research_stage = serializers.SerializerMethodField()
    research_variant = serializers.SerializerMethodField()

    class Meta:
        model = Therapist
        fields = [
            "id",
            "full_name",
            "first_name",
            "last_name",
            "title",
            "email",
            "profession",
            "organisation",
            "region",
            "suburb",
            "state",
            "postcode",
            "service_types",
            "accepting_new_clients",
            "bulk_billing",
            "directory_status",
            "profile_source",
            "is_active",
            "research_stage",
            "research_variant",
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
            "id",
            "submitted_at",
            "therapist",
            "therapist_name",
            "email",
            "profession",
            "profession_other",
            "years_practice",
            "client_types",
            "modalities",
            "clients_find_you",
            "match_factors",
            "biggest_gap",
            "screens_clients",
            "open_to_sharing",
            "questions_matter",
            "personality_test",
            "too_personal",
            "profile_detail_level",
            "onboarding_time",
            "free_listing_interest",
            "profile_intent",
            "future_contact",
            "comments",
            "fee_per_match",
            "monthly_subscription",
            "sandbox_visited",
            "processing_status",
            "notes",
        ]
        read_only_fields = fields

    def get_therapist_name(self, response: SurveyResponse) -> str | None:
        return response.therapist.full_name if response.therapist is not None else None


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
            "id",
            "submitted_at",
            "rating",
            "comment",
            "tags",
            "section",
            "audience",
            "page_path",
            "page_title",
            "status",
            "therapist",
            "therapist_name",
            "survey_response",
        ]
        read_only_fields = fields

    def get_therapist_name(self, feedback: Feedback) -> str | None:
        return feedback.therapist.full_name if feedback.therapist is not None else None


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
