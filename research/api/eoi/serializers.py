"""The EOI review queue's bodies: its query, the queue row, the mapping preview and the conversion result."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework import serializers

from research.eoi_mapping import Change
from research.models import EOIAudience, ExpressionOfInterest, ProfileStatus
from sanctuary.api import plumbing


class EOIQueueQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ProfileStatus.choices,
        required=False,
        help_text="Profile status; default: the review queue (pending and in progress).",
    )
    audience = serializers.ChoiceField(choices=EOIAudience.choices, required=False)


class EOIReviewItemSerializer(serializers.ModelSerializer):
    reviewed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
    )

    class Meta:
        model = ExpressionOfInterest
        fields = (
            "id",
            "audience",
            "profile_status",
            "submitted_at",
            "email",
            "full_name",
            "professional_title",
            "organisation",
            "specialisations",
            "therapist",
            "reviewed_by",
            "reviewed_at",
            "review_reason",
        )
        read_only_fields = fields


class EOIMappedFieldSerializer(serializers.Serializer):
    eoi_field = plumbing.CharField()
    eoi_value = plumbing.CharField()
    therapist_field = plumbing.CharField()
    rule = plumbing.CharField()
    current = serializers.JSONField(allow_null=True, help_text="The profile's value now; null for a new profile.")
    proposed = serializers.JSONField(help_text="The mapped EOI value.")
    change = serializers.ChoiceField(choices=[(c.value, c.value) for c in Change])


class EOIConversionPreviewSerializer(serializers.Serializer):
    eoi = EOIReviewItemSerializer()
    merge_into = serializers.UUIDField(allow_null=True, help_text="The therapist with the same e-mail, if any.")
    merge_into_verified = serializers.BooleanField()
    # A data field named like Serializer.fields: DRF's metaclass moves it into _declared_fields.
    fields = EOIMappedFieldSerializer(many=True)  # type: ignore[assignment]


class EOIConversionSerializer(serializers.Serializer):
    eoi = EOIReviewItemSerializer()
    therapist = serializers.UUIDField()
    created = serializers.BooleanField(help_text="True: a new profile; false: merged into an existing one.")
    # A data field named like Serializer.fields: DRF's metaclass moves it into _declared_fields.
    fields = EOIMappedFieldSerializer(many=True)  # type: ignore[assignment]


class EOIRejectInputSerializer(serializers.Serializer):
    reason = plumbing.CharField(max_length=2000, trim_whitespace=True)
