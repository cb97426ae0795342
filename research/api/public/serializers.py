"""Input serializers for the public intake endpoints: strict (unknown fields are errors), canonical
option values (any known spelling in, one spelling out), bounded lengths everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from research.models import EOIAudience
from research.models.eoi import AUDIENCE_FIELDS, AUDIENCE_REQUIRED, EOI_AUDIENCE_ALIASES
from research.models.feedback import RATING_MAX, RATING_MIN
from research.models.options import (
    ClientSource,
    ClientType,
    EmailPreference,
    FeedbackAudience,
    FeedbackTag,
    MatchFactor,
    MatchingQuestion,
    Modality,
    OnboardingTime,
    PageSection,
    Profession,
    TherapyInterest,
    TooPersonal,
    YearsInPractice,
    YesMaybeLaterNo,
    YesMaybeNo,
    YesNo,
    canonical_option,
)
from research.tokens import InvalidToken, SurveyClaims, survey_token_read
from sanctuary.api import plumbing
from sanctuary.api.serializers import SharedFieldsMixin


class StrictSerializer(SharedFieldsMixin, serializers.Serializer):
    """Rejects fields it does not declare, so a typo or a stale client is a 400, not silently dropped.

    The fields are built once per class and shared by every instance (``SharedFieldsMixin``): DRF's
    per-instance deep copy of the 50-field survey's fields was the largest Python cost of a public intake
    request (issue 7). These serializers are input-only and are given no context.
    """

    def to_internal_value(self, data: Any) -> Any:
        plumbing.reject_undeclared(data, self.fields)
        return super().to_internal_value(data)

    def create(self, validated_data: Any) -> Any:  # pragma: no cover - input-only serializers
        raise NotImplementedError

    def update(self, instance: Any, validated_data: Any) -> Any:  # pragma: no cover
        raise NotImplementedError


class CanonicalChoiceField(serializers.Field):
    """One option of ``choices``, in any known spelling; returns the canonical value."""

    def __init__(self, choices: type[models.TextChoices], aliases: Mapping[str, str] | None = None, **kwargs: Any):
        self.enum = choices
        self.aliases = aliases or {}
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or len(data) > 200:
            self.fail("invalid")
        value = self.aliases.get(data.strip().lower()) or canonical_option(self.enum, data)
        if value is None:
            raise serializers.ValidationError(f'"{data[:60]}" is not a valid choice.')
        return value

    def to_representation(self, value: Any) -> Any:
        return value

    default_error_messages = {"invalid": "Expected one option as a string."}


def multi(choices: type[models.TextChoices], *, required: bool = True) -> serializers.ListField:
    if required:
        return serializers.ListField(child=CanonicalChoiceField(choices), allow_empty=False, max_length=20)
    return serializers.ListField(
        child=CanonicalChoiceField(choices),
        allow_empty=True,
        required=False,
        default=list,
        max_length=20,
    )


def text(max_length: int = 200, **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("default", "")
    return plumbing.CharField(max_length=max_length, allow_blank=True, **kwargs)


class CanonicalChoiceFieldSchema(OpenApiSerializerFieldExtension):
    """OpenAPI: the canonical values (other known spellings are accepted and folded onto them)."""

    target_class = "research.api.public.serializers.CanonicalChoiceField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "enum": [str(v) for v in self.target.enum.values]}


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": 1000,
        "description": "The signed token from the invitation e-mail's link.",
    }
)
class TokenField(serializers.Field):
    """A signed survey token (django.core.signing, 30 days) → ``SurveyClaims``."""

    default_error_messages = {"invalid": "Expected a token string."}

    def to_internal_value(self, data: Any) -> SurveyClaims:
        if not isinstance(data, str) or not data or len(data) > 1000:
            self.fail("invalid")
        try:
            return survey_token_read(data)
        except InvalidToken as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value: Any) -> Any:
        return None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# ---------------------------------------------------------------------------------------------- survey
class SurveyAnswersSerializer(StrictSerializer):
    email = plumbing.EmailField(max_length=255, required=False, allow_blank=True, default="")
    profession = CanonicalChoiceField(Profession)
    profession_other = text()
    years_practice = CanonicalChoiceField(YearsInPractice)
    client_types = multi(ClientType)
    client_types_other = text()
    modalities = multi(Modality)
    modalities_other = text()
    clients_find_you = multi(ClientSource)
    clients_find_you_other = text()
    match_factors = multi(MatchFactor)
    match_factors_other = text()
    biggest_gap = plumbing.CharField(max_length=5000)
    screens_clients = CanonicalChoiceField(YesNo)
    open_to_sharing = CanonicalChoiceField(YesMaybeNo)
    questions_matter = multi(MatchingQuestion)
    questions_matter_other = text()
    personality_test = CanonicalChoiceField(YesMaybeNo)
    too_personal = multi(TooPersonal)
    too_personal_other = text()
    profile_detail_level = serializers.IntegerField(min_value=1, max_value=10)
    onboarding_time = CanonicalChoiceField(OnboardingTime)
    free_listing_interest = CanonicalChoiceField(YesMaybeLaterNo)
    profile_intent = CanonicalChoiceField(YesMaybeLaterNo, required=False, default="")
    future_contact = CanonicalChoiceField(YesNo)
    comments = text(5000)
    # Pricing sentiment: numbers only (AUD). These are the ONLY place pricing is stored.
    value_fee_per_match = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(10000),
        required=False,
        allow_null=True,
        default=None,
    )
    value_monthly_subscription = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(10000),
        required=False,
        allow_null=True,
        default=None,
    )

    OTHER_TEXT = {
        "profession": "profession_other",
        "client_types": "client_types_other",
        "modalities": "modalities_other",
        "clients_find_you": "clients_find_you_other",
        "match_factors": "match_factors_other",
        "questions_matter": "questions_matter_other",
        "too_personal": "too_personal_other",
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        for name, other in self.OTHER_TEXT.items():
            value = attrs.get(name)
            chosen = value == "other" if isinstance(value, str) else "other" in (value or [])
            if chosen and not attrs.get(other, "").strip():
                errors[other] = ["Please tell us what “Other” means here."]
            if isinstance(value, list):
                attrs[name] = _unique(value)
        if attrs.get("future_contact") == YesNo.YES and not attrs.get("email"):
            errors["email"] = ["Please provide a valid email address so we can contact you."]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["fee_per_match"] = attrs.pop("value_fee_per_match")
        attrs["monthly_subscription"] = attrs.pop("value_monthly_subscription")
        return attrs


class ConsentSerializer(StrictSerializer):
    accepted = plumbing.AcceptedField(message="Consent must be granted before submitting responses.")
    version = plumbing.CharField(max_length=40)
    timestamp = plumbing.DateTimeField(required=False)


class UtmSerializer(StrictSerializer):
    source = text(100)  # type: ignore[assignment]  # utm_source; shadows Field.source only in the stubs
    medium = text(100)
    campaign = text(100)
    content = text(100)
    term = text(100)


class SurveyMetadataSerializer(StrictSerializer):
    utm = UtmSerializer(required=False)
    referrer = plumbing.URLField(max_length=500, required=False, allow_blank=True, default="")
    landing_path = text(300)
    sandbox_visit = serializers.BooleanField(required=False, default=False)


class SurveySubmitSerializer(StrictSerializer):
    token = TokenField()
    session_id = text(100)
    consent = ConsentSerializer()
    survey = SurveyAnswersSerializer()
    metadata = SurveyMetadataSerializer(required=False)


# -------------------------------------------------------------------------------------------- feedback
class FeedbackSerializer(StrictSerializer):
    rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
    comment = text(5000)
    tags = multi(FeedbackTag, required=False)
    page_url = plumbing.URLField(max_length=500, required=False, allow_blank=True, default="")
    page_path = text(300)
    page_title = text(200)
    section = CanonicalChoiceField(PageSection, required=False, default=PageSection.OTHER)
    audience = CanonicalChoiceField(FeedbackAudience, required=False, default="")
    created_at = plumbing.DateTimeField(required=False)
    token = TokenField(required=False)
    therapist_email = plumbing.EmailField(max_length=255, required=False, allow_blank=True, default="")
    session_id = text(100)
    tracking_id = text(100)
    # Page context, kept in Feedback.context.
    scroll_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    viewport_width = serializers.IntegerField(min_value=0, max_value=20000, required=False)
    viewport_height = serializers.IntegerField(min_value=0, max_value=20000, required=False)
    referrer = plumbing.URLField(max_length=500, required=False, allow_blank=True)
    utm_source = text(100)
    utm_medium = text(100)
    utm_campaign = text(100)
    utm_content = text(100)
    utm_term = text(100)
    current_step = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    total_steps = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    question_id = text(100)
    question_text = text(300)

    MODEL_FIELDS = (
        "rating",
        "comment",
        "tags",
        "page_url",
        "page_path",
        "page_title",
        "section",
        "audience",
        "session_id",
        "tracking_id",
    )
    CONTEXT_FIELDS = (
        "scroll_percent",
        "viewport_width",
        "viewport_height",
        "referrer",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
        "current_step",
        "total_steps",
        "question_id",
        "question_text",
    )

    def validate_tags(self, value: list[str]) -> list[str]:
        return _unique(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        fields = {name: attrs[name] for name in self.MODEL_FIELDS if name in attrs}
        fields["email"] = attrs.get("therapist_email", "")
        fields["context"] = {name: attrs[name] for name in self.CONTEXT_FIELDS if attrs.get(name) not in (None, "")}
        return {"fields": fields, "claims": attrs.get("token"), "created_at": attrs.get("created_at")}


# ------------------------------------------------------------------------------------------------- EOI
class EOISerializer(StrictSerializer):
    audience = CanonicalChoiceField(EOIAudience, aliases=EOI_AUDIENCE_ALIASES)
    email = plumbing.EmailField(max_length=255)
    email_consent = plumbing.AcceptedField(message="Please agree to receive e-mail about Therapair.")
    email_preferences = multi(EmailPreference, required=False)
    full_name = text()
    professional_title = text()
    organisation = text()
    specialisations = text(2000)
    contact_name = text()
    position = text()
    organisation_name = text()
    partnership_interest = text(5000)
    therapy_interests = multi(TherapyInterest, required=False)
    additional_thoughts = text(5000)
    support_interest = text(5000)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # Honeypot: a field people never see; bots fill it. "_honey" cannot be a class attribute.
        fields["_honey"] = text(200)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        audience = attrs["audience"]
        allowed = set(AUDIENCE_FIELDS[audience])
        errors: dict[str, list[str]] = {}
        for name in {n for fields in AUDIENCE_FIELDS.values() for n in fields} - allowed:
            if name in self.initial_data and self.initial_data[name] not in ("", [], None):
                errors[name] = ["Not asked of this audience."]
        for name in AUDIENCE_REQUIRED[audience]:
            if not str(attrs.get(name, "")).strip():
                errors[name] = ["This field is required."]
        if errors:
            raise serializers.ValidationError(errors)
        if not attrs.get("email_preferences"):
            extra = {
                EOIAudience.THERAPIST: EmailPreference.THERAPIST_OPPORTUNITIES,
                EOIAudience.ORGANISATION: EmailPreference.PARTNERSHIP_NEWS,
                EOIAudience.SUPPORTER: EmailPreference.INVESTMENT_UPDATES,
            }.get(audience)
            attrs["email_preferences"] = [
                EmailPreference.PRODUCT_UPDATES,
                EmailPreference.LAUNCH_NEWS,
                EmailPreference.RESEARCH,
                *([extra] if extra else []),
            ]
        attrs["therapy_interests"] = _unique(attrs.get("therapy_interests", []))
        attrs["email_preferences"] = _unique(attrs["email_preferences"])
        return attrs


# --------------------------------------------------------------------------------------------- sandbox
class SandboxVisitSerializer(StrictSerializer):
    token = TokenField()
    session_id = text(100)
    page_path = text(300)


class EOISerializerSchema(OpenApiSerializerExtension):
    """OpenAPI: one object per audience (``oneOf``), each with the fields asked of that audience and the ones
    it requires, as ``EOISerializer.validate`` decides."""

    target_class = "research.api.public.serializers.EOISerializer"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        # spectacular 0.30.0's private _map_serializer (the default mapping); canary in test_upstream_canaries.
        base = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return base
        per_audience = {name for names in AUDIENCE_FIELDS.values() for name in names}
        aliases = self.target.fields["audience"].aliases
        variants = []
        for audience, names in AUDIENCE_FIELDS.items():
            properties = {k: v for k, v in base["properties"].items() if k not in per_audience or k in names}
            # A one-value pattern, not a one-value enum: spectacular would fold those into the shared enum.
            spellings = [str(audience), *sorted(alias for alias, target in aliases.items() if target == audience)]
            properties["audience"] = {"type": "string", "pattern": f"^({'|'.join(spellings)})$"}
            for name in AUDIENCE_REQUIRED[audience]:
                properties[name] = {**properties[name], "minLength": 1, "pattern": "\\S"}
            variants.append(
                {
                    "type": "object",
                    "title": f"EOI from {audience}",
                    "properties": properties,
                    "required": sorted({*base.get("required", []), *AUDIENCE_REQUIRED[audience]}),
                    "additionalProperties": False,
                }
            )
        # The fields every audience shares, at the top too: spectacular drops an object schema without properties.
        shared = {k: v for k, v in base["properties"].items() if k not in per_audience and k != "audience"}
        return {"type": "object", "properties": shared, "required": sorted(base.get("required", [])), "oneOf": variants}


# ------------------------------------------------------------------------------------------ responses
SessionOut = inline_serializer(
    "SurveySession",
    {
        "therapist": inline_serializer(
            "SurveySessionTherapist",
            {
                "first_name": serializers.CharField(),
                "name": serializers.CharField(),
                "email": serializers.EmailField(),
                "practice": serializers.CharField(),
            },
        ),
        "consent": inline_serializer(
            "SurveyConsent",
            {
                "version": serializers.CharField(),
                "link": serializers.CharField(),
            },
        ),
        "already_submitted": serializers.BooleanField(),
    },
)


# What each intake answers: small receipts, documented so a generated client parses them.
SurveyReceipt = inline_serializer(
    "SurveyReceipt",
    {
        "id": serializers.UUIDField(help_text="The survey response (the same one when a token answers again)."),
        "updated": serializers.BooleanField(help_text="True when this replaced the token's earlier answers."),
    },
)
FeedbackReceipt = inline_serializer("FeedbackReceipt", {"id": serializers.UUIDField()})
EOIReceipt = inline_serializer("EOIReceipt", {"status": serializers.ChoiceField(choices=["received"])})
