"""Canonical option values of the survey, feedback widget and EOI form (seed facts B.5, B.8–B.10).

Each option has exactly one stored spelling (the value). The original Notion databases held several
spellings of the same answer (hyphen and en dash, comma-split fragments, HTML-escaped ``&amp;``); those
variants are listed in ``ALIASES`` and folded onto the canonical value by :func:`canonical_option`, which
both the public API and the Notion import use.
"""

from __future__ import annotations

import html
import re

from django.db import models


class Profession(models.TextChoices):
    PSYCHOLOGIST = "psychologist", "Psychologist"
    COUNSELLOR = "counsellor", "Counsellor"
    SOCIAL_WORKER = "social_worker", "Social Worker"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    PSYCHOTHERAPIST = "psychotherapist", "Psychotherapist"
    ART_THERAPIST = "art_therapist", "Art Therapist"
    OTHER = "other", "Other"


class YearsInPractice(models.TextChoices):
    Y0_2 = "0-2", "0–2 years"
    Y3_5 = "3-5", "3–5 years"
    Y6_10 = "6-10", "6–10 years"
    Y10_PLUS = "10+", "10+ years"


class ClientType(models.TextChoices):
    ADULTS = "adults", "Adults"
    TEENS = "teens", "Teens"
    CHILDREN = "children", "Children"
    COUPLES = "couples", "Couples"
    FAMILIES = "families", "Families"
    LGBTQ = "lgbtq", "LGBTQ+"
    NEURODIVERGENT = "neurodivergent", "Neurodivergent clients"
    TRAUMA_FOCUSED = "trauma_focused", "Trauma-focused support"
    OTHER = "other", "Other"


class Modality(models.TextChoices):
    CBT = "cbt", "CBT"
    DBT = "dbt", "DBT"
    ACT = "act", "ACT"
    EMDR = "emdr", "EMDR"
    SOMATIC = "somatic", "Somatic approaches"
    PSYCHODYNAMIC = "psychodynamic", "Psychodynamic therapy"
    PERSON_CENTRED = "person_centred", "Person-Centred"
    GESTALT = "gestalt", "Gestalt"
    RELATIONSHIP = "relationship_therapy", "Relationship Therapy"
    ART_THERAPY = "art_therapy", "Art Therapy"
    OTHER = "other", "Other"


class ClientSource(models.TextChoices):
    REFERRALS = "referrals", "Professional referrals"
    DIRECTORIES = "directories", "Directories (e.g. Psychology Today)"
    WORD_OF_MOUTH = "word_of_mouth", "Word of mouth"
    ONLINE_SEARCH = "online_search", "Online search"
    SOCIAL_MEDIA = "social_media", "Social media"
    COMMUNITY = "community_organisations", "Community organisations"
    OTHER = "other", "Other"


class MatchFactor(models.TextChoices):
    CORE_VALUES = "shared_core_values", "Shared core values"
    COMMUNICATION = "similar_communication_style", "Similar communication style"
    TRUST = "trust", "Ability to build trust quickly"
    LIFE_GOALS = "life_goal_alignment", "Alignment on goals/outcomes"
    LIVED_EXPERIENCE = "lived_experience", "Shared lived experiences"
    CULTURE = "shared_cultural_background", "Cultural alignment"
    RELIGION = "shared_religious_background", "Shared religious beliefs/background"
    DIAGNOSIS = "shared_diagnosis_experience", "Experience with similar diagnoses (ADHD, autism, OCD, addiction…)"
    OTHER = "other", "Other"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class YesMaybeNo(models.TextChoices):
    YES = "yes", "Yes"
    MAYBE = "maybe", "Maybe"
    NO = "no", "No"


class YesMaybeLaterNo(models.TextChoices):
    YES = "yes", "Yes"
    MAYBE_LATER = "maybe_later", "Maybe later"
    NO = "no", "No"


class TrustAIMatching(models.TextChoices):
    """Question 23, no longer asked (removed 2025-12-04); kept so imported answers are not lost."""

    YES = "yes", "Yes"
    MAYBE = "maybe", "Maybe"
    NO = "no", "No"
    UNSURE = "unsure", "I'm unsure about AI"


class MatchingQuestion(models.TextChoices):
    COMMUNICATION = "communication_style", "Communication style"
    RELATIONSHIP = "relationship_style", "Relationship style"
    PERSONALITY = "personality_traits", "Personality traits"
    LIVED_EXPERIENCE = "lived_experience", "Lived experience"
    VALUES = "values_and_beliefs", "Values and beliefs"
    WORK_STYLE = "work_style_and_boundaries", "Therapeutic work style and boundaries"
    ALL = "all_of_the_above", "All of the above"
    NONE = "none", "None"
    OTHER = "other", "Other"


class TooPersonal(models.TextChoices):
    TRAUMA = "trauma_history", "Trauma history"
    RELIGION = "religious_beliefs", "Religious beliefs/background"
    POLITICS = "political_views", "Political views"
    RELATIONSHIPS = "personal_relationships", "Personal relationships"
    FINANCES = "financial_situation", "Financial situation"
    CULTURE = "cultural_background", "Cultural background"
    NONE = "none", "None of the above"
    OTHER = "other", "Other"


class OnboardingTime(models.TextChoices):
    MIN_2_3 = "2-3_min", "2–3 min"
    MIN_5 = "5_min", "5 min"
    MIN_10 = "10_min", "10 min"
    MIN_15_PLUS = "15_min_plus", "15 min+"
    AS_LONG_AS_IT_TAKES = "as_long_as_it_takes", "As long as it takes to get the best matches with clients"


class ProcessingStatus(models.TextChoices):
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    PROCESSED = "processed", "Processed"
    FOLLOW_UP_NEEDED = "follow_up_needed", "Follow-up needed"


class FeedbackTag(models.TextChoices):
    BUG = "bug", "Bug"
    USABILITY = "usability", "Usability"
    SPEED = "speed", "Speed"
    CONTENT = "content", "Content"
    ACCESSIBILITY = "accessibility", "Accessibility"
    OTHER = "other", "Other"


class PageSection(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox"
    SURVEY = "survey", "Survey"
    DOCUMENTATION = "documentation", "Documentation"
    LEGAL = "legal", "Legal"
    HOME = "home", "Home"
    OTHER = "other", "Other"


class FeedbackAudience(models.TextChoices):
    """Who left the feedback, derived from where (the original labelled homepage feedback "Sandbox")."""

    SANDBOX = "sandbox", "Sandbox"
    SURVEY = "survey", "Survey"
    WEBSITE = "website", "Website"
    UNISON = "unison", "Unison"


class TherapyInterest(models.TextChoices):
    LGBTQ = "lgbtq_affirming", "LGBTQ+ affirming care"
    NEURODIVERSITY = "neurodiversity", "Neurodiversity support"
    CULTURAL = "cultural_competency", "Cultural competency"
    TRAUMA = "trauma_informed", "Trauma-informed care"
    ANXIETY_DEPRESSION = "anxiety_depression", "Anxiety & depression"
    RELATIONSHIPS = "relationship_issues", "Relationship issues"


class EmailPreference(models.TextChoices):
    PRODUCT_UPDATES = "product_updates", "Product Updates"
    LAUNCH_NEWS = "launch_news", "Launch News"
    RESEARCH = "research_feedback", "Research & Feedback"
    THERAPIST_OPPORTUNITIES = "therapist_opportunities", "Therapist Opportunities"
    PARTNERSHIP_NEWS = "partnership_news", "Partnership News"
    INVESTMENT_UPDATES = "investment_updates", "Investment Updates"


# Spellings seen in the original data (Notion options, form values, comma fragments) → canonical value.
ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    YearsInPractice: {"0-2 years": "0-2", "3-5 years": "3-5", "6-10 years": "6-10", "10+ years": "10+"},
    ClientType: {"neurodivergent": "neurodivergent", "trauma-focused": "trauma_focused", "lgbtq+": "lgbtq"},
    Modality: {
        "somatic": "somatic",
        "psychodynamic": "psychodynamic",
        "person centred": "person_centred",
        "person-centered": "person_centred",
    },
    ClientSource: {"referrals": "referrals", "directories": "directories"},
    MatchFactor: {
        "trust": "trust",
        "life goal alignment": "life_goal_alignment",
        "lived experience": "lived_experience",
        "shared cultural background": "shared_cultural_background",
        "shared religious beliefs/background": "shared_religious_background",
        "shared religious beliefs-background": "shared_religious_background",
        "shared experience of a diagnosis": "shared_diagnosis_experience",
        "shared experience of diagnosis (adhd autism ocd addiction etc)": "shared_diagnosis_experience",
        "shared experience of a diagnosis (adhd, autism, ocd, addiction, etc)": "shared_diagnosis_experience",
        # Notion cannot hold commas in options: the diagnosis answer was split into these fragments.
        "shared experience of a diagnosis (adhd": "shared_diagnosis_experience",
        "autism": "shared_diagnosis_experience",
        "ocd": "shared_diagnosis_experience",
        "addiction": "shared_diagnosis_experience",
        "etc)": "shared_diagnosis_experience",
    },
    TooPersonal: {"none": "none"},
    OnboardingTime: {"2-3 min": "2-3_min", "as long as it takes": "as_long_as_it_takes"},
    FeedbackAudience: {
        "home": "website",
        "documentation": "website",
        "legal": "website",
        "other": "website",
        "individual": "website",
    },
    TherapyInterest: {"anxiety and depression": "anxiety_depression"},
}

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def _key(raw: str) -> str:
    text = _DASHES.sub("-", html.unescape(str(raw))).strip().casefold()
    return re.sub(r"\s+", " ", text)


def canonical_option(choices: type[models.TextChoices], raw: object) -> str | None:
    """The canonical value for any known spelling of an option, or ``None`` when it is not an option.

    Accepts the value itself, its label, the original Notion/form spelling (hyphen or en dash,
    HTML-escaped or not, any case) and the known aliases.
    """
    if raw is None:
        return None
    key = _key(str(raw))
    if not key:
        return None
    for value, label in choices.choices:
        if key in (_key(value), _key(label)):
            return str(value)
    return ALIASES.get(choices, {}).get(key)


def split_multi_select(raw: str) -> list[str]:
    """Split a Notion CSV multi-select cell ("a, b, c"), re-joining fragments inside parentheses."""
    parts: list[str] = []
    buffer: list[str] = []
    for fragment in html.unescape(raw or "").split(","):
        buffer.append(fragment.strip())
        joined = ", ".join(buffer)
        if joined.count("(") <= joined.count(")"):
            parts.append(joined)
            buffer = []
    if buffer:
        parts.append(", ".join(buffer))
    return [part for part in parts if part]
