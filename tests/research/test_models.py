"""Database-level guarantees: the append-only log, CHECK constraints, the research staff group."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, IntegrityError, connection, transaction

from research.models import EngagementEvent, ExpressionOfInterest, Feedback, OutboundEmail, SurveyResponse
from tests.research.conftest import make_therapist

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 1, tzinfo=UTC)


def test_engagement_events_cannot_be_updated_or_deleted_even_with_raw_sql() -> None:
    event = EngagementEvent.objects.create(kind="email_opened", occurred_at=NOW, context={})
    for statement in (
        "UPDATE research_engagementevent SET kind = 'email_clicked'",
        "DELETE FROM research_engagementevent",
    ):
        with (
            pytest.raises(DatabaseError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        event.delete()
    assert EngagementEvent.objects.get().kind == "email_opened"


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        ("UPDATE research_surveyresponse SET profession = 'Psychologist'", "research_surveyresponse_profession_valid"),
        ("UPDATE research_surveyresponse SET modalities = ARRAY['CBT']", "research_surveyresponse_modalities_valid"),
        (
            "UPDATE research_surveyresponse SET years_practice = '6–10 years'",
            "research_surveyresponse_years_practice_valid",
        ),
        ("UPDATE research_surveyresponse SET fee_per_match = -1", "research_surveyresponse_pricing_non_negative"),
        (
            "UPDATE research_surveyresponse SET profile_detail_level = 11",
            "research_surveyresponse_profile_detail_level_1_10",
        ),
    ],
)
def test_non_canonical_values_are_refused_by_postgresql(sql: str, constraint: str) -> None:
    SurveyResponse.objects.create(consent_version="v", consented_at=NOW, submitted_at=NOW, profession="psychologist")
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_feedback_rating_is_1_to_5_in_the_database() -> None:
    with pytest.raises(IntegrityError, match="research_feedback_rating_1_5"), transaction.atomic():
        Feedback.objects.create(rating=6, audience="website", submitted_at=NOW)


def test_only_therapist_eois_take_part_in_the_profile_workflow() -> None:
    with pytest.raises(IntegrityError, match="research_eoi_status_matches_audience"), transaction.atomic():
        ExpressionOfInterest.objects.create(
            audience="individual",
            email="a@example.test",
            email_consent=True,
            submitted_at=NOW,
            profile_status="pending",
        )
    with pytest.raises(IntegrityError, match="research_eoi_rejection_has_reason"), transaction.atomic():
        ExpressionOfInterest.objects.create(
            audience="therapist",
            email="a@example.test",
            email_consent=True,
            submitted_at=NOW,
            profile_status="rejected",
            reviewed_at=NOW,
        )


def test_a_sequence_step_exists_once_per_therapist() -> None:
    therapist = make_therapist()
    OutboundEmail.objects.create(therapist=therapist, to_email=therapist.email, step=2, subject="s")
    with pytest.raises(IntegrityError, match="research_outboundemail_one_per_step"), transaction.atomic():
        OutboundEmail.objects.create(therapist=therapist, to_email=therapist.email, step=2, subject="s")


def test_research_staff_see_research_and_the_directory_but_no_clinical_data() -> None:
    group = Group.objects.get(name="Research staff")
    perms = set(group.permissions.values_list("content_type__app_label", "content_type__model", "codename"))
    assert ("research", "feedback", "view_feedback") in perms
    assert ("research", "expressionofinterest", "change_expressionofinterest") in perms
    assert ("research", "engagementevent", "change_engagementevent") not in perms  # append-only
    assert ("practice", "therapist", "view_therapist") in perms
    assert {model for app, model, _ in perms if app == "practice"} == {"therapist"}
    assert not any(app not in ("research", "practice") for app, _, _ in perms)
