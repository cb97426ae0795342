"""backfill_relations and sync_survey_to_therapist: idempotent, fallback linking, verified data kept."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from research.models import ExpressionOfInterest, Feedback, SurveyResponse
from tests.research.conftest import make_therapist

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 1, tzinfo=UTC)


def survey(**fields: object) -> SurveyResponse:
    return SurveyResponse.objects.create(consent_version="v", consented_at=NOW, submitted_at=NOW, **fields)


def test_backfill_links_by_trimmed_case_insensitive_email_and_reports_orphans() -> None:
    therapist = make_therapist(email="kim.ode@example.test")
    response = survey(email=" KIM.ODE@example.test ", session_id="s1")
    feedback = Feedback.objects.create(rating=4, audience="website", submitted_at=NOW, session_id="s1")
    eoi = ExpressionOfInterest.objects.create(
        audience="therapist",
        email="Kim.Ode@example.test",
        email_consent=True,
        submitted_at=NOW,
        profile_status="pending",
    )
    orphan = Feedback.objects.create(rating=2, audience="website", submitted_at=NOW, email="nobody@example.test")
    out = StringIO()
    call_command("backfill_relations", stdout=out)
    text = out.getvalue()
    assert "linked 1 survey responses" in text and "linked 1 EOIs" in text
    assert f"orphaned 1 feedback: {orphan.pk}" in text  # ids, not addresses
    response.refresh_from_db(), feedback.refresh_from_db(), eoi.refresh_from_db()
    assert response.therapist == therapist and eoi.therapist == therapist
    assert feedback.survey_response == response
    again = StringIO()
    call_command("backfill_relations", stdout=again)
    assert "linked 0 survey responses" in again.getvalue() and "linked 0 EOIs" in again.getvalue()


def test_backfill_never_gives_a_therapist_a_second_survey_response() -> None:
    therapist = make_therapist(email="one@example.test")
    survey(therapist=therapist)
    second = survey(email="one@example.test")
    call_command("backfill_relations", stdout=StringIO())
    second.refresh_from_db()
    assert second.therapist is None


def test_sync_fills_empty_fields_and_never_overwrites_verified_data() -> None:
    fresh = make_therapist(profession="", modalities=["Narrative"])
    verified = make_therapist(profession="Clinical psychologist", modalities=["Schema"], directory_status="verified")
    for therapist in (fresh, verified):
        survey(
            therapist=therapist,
            profession="counsellor",
            modalities=["cbt", "other"],
            modalities_other="IFS",
            client_types=["adults"],
        )
    out = StringIO()
    call_command("sync_survey_to_therapist", stdout=out)
    fresh.refresh_from_db(), verified.refresh_from_db()
    assert fresh.profession == "Counsellor"
    assert fresh.modalities == ["Narrative", "CBT", "IFS"] and fresh.client_types == ["Adults"]
    assert verified.profession == "Clinical psychologist" and verified.modalities == ["Schema"]
    assert verified.client_types == ["Adults"]  # empty, so filled even when verified
    call_command("sync_survey_to_therapist", stdout=out)
    assert "0 therapist(s) updated" in out.getvalue()
