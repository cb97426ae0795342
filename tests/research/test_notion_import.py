"""Import of the synthetic Notion CSV samples: dedupe, pricing migration, normalised options, idempotent."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from practice.models import Therapist
from research.models import ExpressionOfInterest, Feedback, Suppression, SurveyResponse, TherapistResearchState
from research.models.options import MatchFactor, canonical_option, split_multi_select
from research.services.notion_import import rescale_legacy_rating, research_status_stage, strip_pricing

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "notion_export"


def run_import() -> str:
    out = StringIO()
    call_command("import_notion_export", str(SAMPLES), stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    return {
        "therapists": sorted(Therapist.objects.values_list("email", "first_name", "last_name", "suburb")),
        "surveys": sorted(
            SurveyResponse.objects.values_list("email", "fee_per_match", "monthly_subscription", "notes"),
        ),
        "feedback": Feedback.objects.count(),
        "eois": sorted(ExpressionOfInterest.objects.values_list("email", "audience", "profile_status")),
        "states": sorted(TherapistResearchState.objects.values_list("therapist__email", "stage", "opens_count")),
        "suppressed": list(Suppression.objects.values_list("email", flat=True)),
    }


def test_importing_twice_is_idempotent_and_reports_what_happened() -> None:
    first = run_import()
    assert "vic: imported 3, merged 1, rejected 1" in first
    assert "research: imported 2, merged 1, rejected 1" in first
    assert "feedback: imported 2, merged 0, rejected 1" in first
    assert "eoi: imported 5, merged 1, rejected 1" in first
    assert "@" not in first  # the report names rows, never people
    after_first = snapshot()
    second = run_import()
    assert "vic: imported 0" in second and "research: imported 0" in second
    assert "feedback: imported 0, merged 2" in second and "eoi: imported 0, merged 6" in second
    assert snapshot() == after_first


def test_pricing_moves_from_notes_into_the_two_decimal_fields() -> None:
    run_import()
    avery = SurveyResponse.objects.get(email="avery.quill@example.test")
    # The later of the two submissions (same e-mail, different case) wins: $25 / $50, not the draft's $20 / $40.
    assert (avery.fee_per_match, avery.monthly_subscription) == (Decimal("25.00"), Decimal("50.00"))
    assert avery.notes == "Called back on Monday."
    for response in SurveyResponse.objects.all():
        assert "Fee per match" not in response.notes + response.comments
        assert "Monthly subscription" not in response.notes + response.comments


def test_options_are_normalised_and_relations_linked() -> None:
    run_import()
    avery = SurveyResponse.objects.get(email="avery.quill@example.test")
    assert avery.years_practice == "3-5" and avery.onboarding_time == "2-3_min"  # en dash folded
    assert avery.match_factors == ["trust", "shared_religious_background"]
    assert avery.therapist.email == "avery.quill@example.test"
    bram = SurveyResponse.objects.get(email="bram.tollard@example.test")
    assert (bram.profile_detail_level, bram.trust_ai_matching, bram.processing_status) == (10, "unsure", "in_review")
    sandbox = Feedback.objects.get(section="sandbox")
    assert (sandbox.rating, sandbox.legacy_rating_6, sandbox.tags) == (5, 6, ["usability", "content"])
    assert sandbox.therapist.email == "avery.quill@example.test" and sandbox.survey_response == avery
    home = Feedback.objects.get(section="home")
    assert home.audience == "website" and home.therapist is None  # was mislabelled "Sandbox"
    individual = ExpressionOfInterest.objects.get(audience="individual")
    assert individual.therapy_interests == ["lgbtq_affirming", "anxiety_depression"]  # &amp; unescaped
    created = ExpressionOfInterest.objects.get(email="bram.tollard@example.test")
    assert created.profile_status == "created" and created.therapist.email == "bram.tollard@example.test"
    assert ExpressionOfInterest.objects.filter(email="eli.fenn@example.test").count() == 1  # deduped
    assert ExpressionOfInterest.objects.get(audience="organisation").organisation_name == "Riverside Clinic"


def test_directory_rows_are_deduped_and_research_status_mapped_monotonically() -> None:
    run_import()
    assert Therapist.objects.filter(email__iexact="bram.tollard@example.test").count() == 1
    avery = Therapist.objects.get(email="avery.quill@example.test")
    assert (avery.first_name, avery.last_name) == ("Avery", "Quill")  # full name split out of First Name
    states = {s.therapist.email: s for s in TherapistResearchState.objects.select_related("therapist")}
    assert states["avery.quill@example.test"].stage == 4
    assert states["bram.tollard@example.test"].stage == 3  # "Sandbox Visited" did not downgrade anything
    assert states["cleo.marsh@example.test"].unsubscribed_at is not None
    assert list(Suppression.objects.values_list("email", flat=True)) == ["cleo.marsh@example.test"]


def test_a_directory_without_exports_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import_notion_export", str(tmp_path))


def test_spelling_helpers() -> None:
    assert canonical_option(MatchFactor, "Shared religious beliefs-background") == "shared_religious_background"
    assert canonical_option(MatchFactor, "etc)") == "shared_diagnosis_experience"
    assert split_multi_select("Trust, Shared experience of a diagnosis (ADHD, Autism, OCD, Addiction, etc), Other") == [
        "Trust",
        "Shared experience of a diagnosis (ADHD, Autism, OCD, Addiction, etc)",
        "Other",
    ]
    assert strip_pricing("Note.\nFee per match (AUD): $25 | Monthly subscription (AUD): $50") == "Note."
    assert [rescale_legacy_rating(r) for r in range(1, 7)] == [1, 2, 3, 3, 4, 5]
    assert [
        research_status_stage(s)
        for s in ("Not Contacted", "Invited", "Opened (email 3)", "Clicked Survey", "Completed Survey", "Unsubscribed")
    ] == [0, 1, 2, 3, 4, 0]
