"""Survey responses of the therapist research survey (seed facts B.5, B.8)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from research.models._checks import array_choices_check, optional_choices_check
from research.models.options import (
    ClientSource,
    ClientType,
    MatchFactor,
    MatchingQuestion,
    Modality,
    OnboardingTime,
    ProcessingStatus,
    Profession,
    TooPersonal,
    TrustAIMatching,
    YearsInPractice,
    YesMaybeLaterNo,
    YesMaybeNo,
    YesNo,
)
from sanctuary.models import TimeStampedModel, choices_check, scale_check


def _choices(enum: type[models.TextChoices], length: int = 40, **kwargs: object) -> models.CharField:
    return models.CharField(max_length=length, choices=enum.choices, **kwargs)  # type: ignore[arg-type]


def _multi(enum: type[models.TextChoices]) -> ArrayField:
    return ArrayField(models.CharField(max_length=40, choices=enum.choices), default=list, blank=True)


class SurveyResponse(TimeStampedModel):
    """One therapist's answers. Resubmitting with the same token updates this row (one per therapist)."""

    therapist = models.ForeignKey(
        "practice.Therapist",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    # Contact e-mail given in the survey (defaults to the invited address); only a fallback for linking.
    email = models.EmailField(max_length=255, blank=True)

    # Q2–Q22, Q24–Q26 with their "Other" texts.
    profession = _choices(Profession)
    profession_other = models.CharField(max_length=200, blank=True)
    years_practice = _choices(YearsInPractice)
    client_types = _multi(ClientType)
    client_types_other = models.CharField(max_length=200, blank=True)
    modalities = _multi(Modality)
    modalities_other = models.CharField(max_length=200, blank=True)
    clients_find_you = _multi(ClientSource)
    clients_find_you_other = models.CharField(max_length=200, blank=True)
    match_factors = _multi(MatchFactor)
    match_factors_other = models.CharField(max_length=200, blank=True)
    biggest_gap = models.TextField(blank=True)
    screens_clients = _choices(YesNo, blank=True)
    open_to_sharing = _choices(YesMaybeNo, blank=True)
    questions_matter = _multi(MatchingQuestion)
    questions_matter_other = models.CharField(max_length=200, blank=True)
    personality_test = _choices(YesMaybeNo, blank=True)
    too_personal = _multi(TooPersonal)
    too_personal_other = models.CharField(max_length=200, blank=True)
    profile_detail_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="1 = a few essential facts … 10 = a rich profile.",
    )
    onboarding_time = _choices(OnboardingTime, blank=True)
    trust_ai_matching = _choices(TrustAIMatching, blank=True, help_text="No longer asked; imported answers only.")
    free_listing_interest = _choices(YesMaybeLaterNo, blank=True)
    profile_intent = _choices(YesMaybeLaterNo, blank=True)
    future_contact = _choices(YesNo, blank=True)
    comments = models.TextField(blank=True)

    # Pricing sentiment lives ONLY here, as numbers (AUD) — never as text in notes or comments (B.17).
    fee_per_match = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    monthly_subscription = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    consent_version = models.CharField(max_length=40)
    consented_at = models.DateTimeField()
    submitted_at = models.DateTimeField()

    # Where the answer came from (collected by the browser and discarded by the original).
    session_id = models.CharField(max_length=100, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    referrer = models.URLField(max_length=500, blank=True)
    landing_path = models.CharField(max_length=300, blank=True)
    sandbox_visited = models.BooleanField(default=False)

    # Staff-side fields (Q28 Processing Status, Q29 Notes). Notes are staff notes, never pricing.
    processing_status = _choices(ProcessingStatus, default=ProcessingStatus.NEW)
    notes = models.TextField(blank=True)
    # Idempotency key of an imported Notion row ("notion:<hash>"); blank for live submissions.
    import_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            # Resubmission with the same token updates instead of duplicating (the original made new pages).
            models.UniqueConstraint(
                fields=["therapist"],
                condition=Q(therapist__isnull=False),
                name="research_surveyresponse_one_per_therapist",
            ),
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~Q(import_key=""),
                name="research_surveyresponse_import_key_unique",
            ),
            optional_choices_check("profession", Profession, "research_surveyresponse_profession_valid"),
            optional_choices_check("years_practice", YearsInPractice, "research_surveyresponse_years_practice_valid"),
            array_choices_check("client_types", ClientType, "research_surveyresponse_client_types_valid"),
            array_choices_check("modalities", Modality, "research_surveyresponse_modalities_valid"),
            array_choices_check("clients_find_you", ClientSource, "research_surveyresponse_clients_find_you_valid"),
            array_choices_check("match_factors", MatchFactor, "research_surveyresponse_match_factors_valid"),
            optional_choices_check("screens_clients", YesNo, "research_surveyresponse_screens_clients_valid"),
            optional_choices_check("open_to_sharing", YesMaybeNo, "research_surveyresponse_open_to_sharing_valid"),
            array_choices_check("questions_matter", MatchingQuestion, "research_surveyresponse_questions_matter_valid"),
            optional_choices_check("personality_test", YesMaybeNo, "research_surveyresponse_personality_test_valid"),
            array_choices_check("too_personal", TooPersonal, "research_surveyresponse_too_personal_valid"),
            scale_check("profile_detail_level", "research_surveyresponse_profile_detail_level_1_10", nullable=True),
            optional_choices_check("onboarding_time", OnboardingTime, "research_surveyresponse_onboarding_time_valid"),
            optional_choices_check("trust_ai_matching", TrustAIMatching, "research_surveyresponse_trust_ai_valid"),
            optional_choices_check(
                "free_listing_interest",
                YesMaybeLaterNo,
                "research_surveyresponse_free_listing_valid",
            ),
            optional_choices_check("profile_intent", YesMaybeLaterNo, "research_surveyresponse_profile_intent_valid"),
            optional_choices_check("future_contact", YesNo, "research_surveyresponse_future_contact_valid"),
            choices_check("processing_status", ProcessingStatus, "research_surveyresponse_processing_status_valid"),
            models.CheckConstraint(
                condition=(Q(fee_per_match__isnull=True) | Q(fee_per_match__gte=0))
                & (Q(monthly_subscription__isnull=True) | Q(monthly_subscription__gte=0)),
                name="research_surveyresponse_pricing_non_negative",
            ),
        ]
        indexes = [
            # backfill_relations: unlinked responses by e-mail.
            models.Index(fields=["email"], condition=Q(therapist__isnull=True), name="research_survey_orphan_email"),
            # Feedback → survey link by browser session id.
            models.Index(fields=["session_id"], condition=~Q(session_id=""), name="research_survey_session"),
        ]

    def __str__(self) -> str:
        who = self.therapist.full_name if self.therapist_id and self.therapist else (self.email or "anonymous")
        return f"Survey {self.submitted_at:%Y-%m-%d} — {who}"
