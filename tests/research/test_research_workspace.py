"""The research desk in the admin: its home, the funnel's verdict, the survey charts and CSV, the directory's
research columns, and the review of surveys, feedback and suppressions through services."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from research import selectors, services
from research.models import Feedback, Suppression, SuppressionReason, SurveyResponse


@pytest.fixture
def demo(db: None) -> None:
    call_command("loaddata", "research_demo", verbosity=0)


@pytest.fixture
def research(demo: None, client: Client) -> Client:
    from research.demo import ensure_research_staff_login

    ensure_research_staff_login()
    client.force_login(get_user_model().objects.get(username="research"))
    return client


def _row(variant: str, invited: int, completed: int) -> dict[str, object]:
    return {
        "variant": variant,
        "invited": invited,
        "completed": completed,
        "completion_rate": round(100 * completed / invited, 1) if invited else 0.0,
    }


@pytest.mark.parametrize(
    ("rows", "decided", "text"),
    [
        ([_row("A", 4, 0), _row("B", 6, 2)], False, "Not enough data: arm A has 4 of the 5 recipients it needs."),
        (
            [_row("A", 3, 0), _row("B", 2, 1)],
            False,
            "Not enough data: arm A has 3 of the 5 recipients it needs; arm B has 2 of the 5 recipients it needs.",
        ),
        (
            [_row("A", 10, 2), _row("B", 10, 4)],
            True,
            "Arm B wins: its completion rate is 20.0 points higher (40.0 % against 20.0 %).",
        ),
        (
            [_row("A", 20, 5), _row("B", 20, 5)],
            False,
            "No winner yet: the completion rates differ by 0.0 points, under the 5-point threshold.",
        ),
        ([_row("A", 9, 1)], False, "Not enough data: arm A so far; the rule compares two arms."),
    ],
)
def test_the_experiment_verdict_states_the_decision_rule(
    rows: list[dict[str, object]], decided: bool, text: str
) -> None:
    verdict = selectors.experiment_verdict(rows)
    assert (verdict.decided, verdict.text) == (decided, text)


def test_the_demo_funnel_page_states_its_verdict_and_draws_bars_per_arm(research: Client) -> None:
    page = research.get("/admin/research/therapistresearchstate/funnel/").content.decode()
    assert "Not enough data: arm A has 4 of the 5 recipients it needs." in page
    assert 'data-ws-chart="bar"' in page and "Machine opens (excluded)" in page


def test_the_research_home_has_the_funnel_the_queue_and_recent_engagement(research: Client) -> None:
    page = research.get("/admin/").content.decode()
    assert "Funnel per arm" in page and "EOIs waiting for review" in page and "Recent engagement" in page
    assert "Not enough data" in page
    assert "Today's sessions" not in page  # not a clinical home


def test_research_staff_see_research_columns_in_the_directory_not_licence_columns(research: Client) -> None:
    page = research.get("/admin/practice/therapist/").content.decode()
    for column in ("Profession", "Region", "Funnel stage", "Directory status"):
        assert column in page, column
    assert "License (G8)" not in page and "License number" not in page


def test_survey_answers_read_as_their_labels_and_are_read_only(research: Client) -> None:
    response = SurveyResponse.objects.exclude(client_types=[]).first()
    assert response is not None
    page = research.get(f"/admin/research/surveyresponse/{response.pk}/change/").content.decode()
    labels = dict(SurveyResponse._meta.get_field("client_types").base_field.flatchoices)
    assert str(labels[response.client_types[0]]) in page
    assert 'name="profession"' not in page and 'name="processing_status"' in page


def test_the_survey_summary_has_a_chart_per_question(research: Client) -> None:
    page = research.get("/admin/research/surveyresponse/summary/").content.decode()
    assert page.count('data-ws-chart="bar"') >= 15
    assert "Fee per match (AUD)" in page


def test_the_csv_export_has_every_response_with_labels_and_keeps_the_filters(research: Client) -> None:
    def export(**query: str) -> list[list[str]]:
        response = research.get("/admin/research/surveyresponse/export.csv", query)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    rows = export()
    assert "Therapist" in rows[0] and len(rows) == 1 + SurveyResponse.objects.count() >= 3
    profession = rows[0].index("Profession")
    labels = {str(label) for _, label in SurveyResponse._meta.get_field("profession").flatchoices}
    assert all(row[profession] in labels for row in rows[1:])
    processed = SurveyResponse.objects.order_by("pk").first()
    assert processed is not None
    services.survey_response_review(response=processed, processing_status="processed", notes="")
    filtered = export(processing_status__exact="processed")
    assert [row[0] for row in filtered[1:]] == [str(processed.pk)]


def test_staff_review_a_survey_response_through_the_service(research: Client) -> None:
    response = SurveyResponse.objects.first()
    assert response is not None
    saved = services.survey_response_review(response=response, processing_status="processed", notes=" Called. ")
    assert (saved.processing_status, saved.notes) == ("processed", "Called.")
    with pytest.raises(ValidationError):
        services.survey_response_review(response=response, processing_status="bogus", notes="")


def test_feedback_status_changes_through_the_service(research: Client) -> None:
    feedback = Feedback.objects.first()
    assert feedback is not None
    assert services.feedback_review(feedback=feedback, status="actioned").status == "actioned"
    with pytest.raises(ValidationError):
        services.feedback_review(feedback=feedback, status="bogus")


def test_only_a_manual_suppression_can_be_lifted(db: None) -> None:
    manual = services.suppression_add(email=" Someone@Example.TEST ", note="asked by phone")
    assert manual.email == "someone@example.test" and manual.reason == SuppressionReason.MANUAL
    with pytest.raises(ValidationError):
        services.suppression_add(email="someone@example.test")
    bounced = Suppression.objects.create(email="bounce@example.test", reason=SuppressionReason.HARD_BOUNCE)
    with pytest.raises(ValidationError):
        services.suppression_remove(suppression=bounced)
    services.suppression_remove(suppression=manual)
    assert list(Suppression.objects.values_list("email", flat=True)) == ["bounce@example.test"]
