"""Research staff reads: directory search and filters, survey and feedback lists, funnel numbers."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice.models import Therapist
from research.models import Feedback, FunnelStage, SurveyResponse, TherapistResearchState
from tests.api.conftest import client_for

STAFF = "v1:research-staff:"
_n = itertools.count()


def rita(world: dict[str, Any]) -> Any:
    return client_for("owner", world, "staff")


def therapist(**fields: Any) -> Therapist:
    n = next(_n)
    fields.setdefault("email", f"dir{n}@example.test")
    fields.setdefault("first_name", f"Dir{n}")
    fields.setdefault("last_name", "Ectory")
    return Therapist.objects.create(**fields)


def survey(**fields: Any) -> SurveyResponse:
    now = timezone.now()
    fields.setdefault("profession", "psychologist")
    fields.setdefault("years_practice", "3-5")
    return SurveyResponse.objects.create(consent_version="v1", consented_at=now, submitted_at=now, **fields)


def feedback(**fields: Any) -> Feedback:
    fields.setdefault("rating", 4)
    fields.setdefault("audience", "website")
    return Feedback.objects.create(submitted_at=timezone.now(), **fields)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_directory_search_by_name_and_filters(world: dict[str, Any]) -> None:
    melb = therapist(
        first_name="Mirabel",
        region="Melbourne",
        profession="Psychologist",
        directory_status="published",
        service_types=["online"],
        accepting_new_clients=True,
    )
    therapist(first_name="Otto", region="Geelong", profession="Counsellor")
    url = reverse(STAFF + "therapist-list")
    client = rita(world)
    assert ids(client.get(url, {"q": "mira"})) == [str(melb.pk)]
    assert ids(client.get(url, {"region": "melbourne"})) == [str(melb.pk)]
    assert ids(client.get(url, {"profession": "psychologist", "directory_status": "published"})) == [str(melb.pk)]
    assert ids(client.get(url, {"service_type": "online", "accepting_new_clients": "true"})) == [str(melb.pk)]
    everyone = ids(client.get(url))
    assert str(melb.pk) in everyone and str(world["therapist"].pk) in everyone


def test_directory_filters_by_research_stage_counting_the_never_invited(world: dict[str, Any]) -> None:
    invited = therapist()
    TherapistResearchState.objects.create(therapist=invited, stage=FunnelStage.CLICKED, variant="A")
    url = reverse(STAFF + "therapist-list")
    rows = rita(world).get(url, {"research_stage": FunnelStage.CLICKED}).json()["results"]
    assert [(row["id"], row["research_stage"], row["research_variant"]) for row in rows] == [(str(invited.pk), 3, "A")]
    not_invited = ids(rita(world).get(url, {"research_stage": 0}))
    assert str(world["therapist"].pk) in not_invited and str(invited.pk) not in not_invited


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("therapist-list", {"directory_status": "famous"}, "directory_status"),
        ("therapist-list", {"research_stage": 9}, "research_stage"),
        ("therapist-list", {"accepting_new_clients": "perhaps"}, "accepting_new_clients"),
        ("survey-list", {"processing_status": "lost"}, "processing_status"),
        ("survey-list", {"therapist": "not-a-uuid"}, "therapist"),
        ("feedback-list", {"rating": 6}, "rating"),
        ("feedback-list", {"section": "nowhere"}, "section"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(
    world: dict[str, Any], name: str, params: dict[str, Any], field: str
) -> None:
    response = rita(world).get(reverse(STAFF + name), params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_survey_and_feedback_lists_filter_by_choice_and_therapist(world: dict[str, Any]) -> None:
    linked = survey(therapist=world["therapist"], profession="counsellor", fee_per_match=40)
    survey()
    rows = rita(world).get(reverse(STAFF + "survey-list"), {"therapist": str(world["therapist"].pk)}).json()["results"]
    assert [(r["id"], r["therapist_name"], r["fee_per_match"]) for r in rows] == [
        (str(linked.pk), "Alice Archer", "40.00")
    ]
    assert ids(rita(world).get(reverse(STAFF + "survey-list"), {"profession": "counsellor"})) == [str(linked.pk)]
    low = feedback(rating=1, comment="confusing", section="sandbox", audience="sandbox")
    feedback(rating=5)
    assert ids(rita(world).get(reverse(STAFF + "feedback-list"), {"rating": 1})) == [str(low.pk)]
    assert ids(rita(world).get(reverse(STAFF + "feedback-list"), {"section": "sandbox"})) == [str(low.pk)]


def test_funnel_counts_stages_and_compares_variants(world: dict[str, Any]) -> None:
    now = timezone.now()
    for stage, variant in [(1, "A"), (2, "A"), (4, "A"), (1, "B"), (3, "B")]:
        TherapistResearchState.objects.create(
            therapist=therapist(), stage=stage, variant=variant, invited_at=now - timedelta(days=1)
        )
    body = rita(world).get(reverse(STAFF + "funnel")).json()
    stages = {row["stage"]: (row["count"], row["reached"]) for row in body["stages"]}
    # alice and bob have no research state: not invited.
    assert stages == {0: (2, 7), 1: (2, 5), 2: (1, 3), 3: (1, 2), 4: (1, 1)}
    variants = {row["variant"]: row for row in body["variants"]}
    assert (variants["A"]["invited"], variants["A"]["opened"], variants["A"]["completed"]) == (3, 2, 1)
    assert variants["A"]["open_rate"] == pytest.approx(66.7)
    assert (variants["B"]["invited"], variants["B"]["clicked"], variants["B"]["click_rate"]) == (2, 1, 50.0)


@pytest.mark.parametrize("name", ["therapist-list", "survey-list", "feedback-list"])
def test_staff_list_query_count_does_not_grow_with_rows(world: dict[str, Any], name: str) -> None:
    # The world has 2 therapists; one survey and one feedback row make every list non-empty.
    survey(therapist=world["therapist"])
    feedback(therapist=world["therapist"])
    client = rita(world)
    url = reverse(STAFF + name)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    few, rows_few = count()
    for _ in range(50):
        t = therapist()
        TherapistResearchState.objects.create(therapist=t, stage=1, variant="A")
        survey(therapist=t)
        feedback(therapist=t)
    many, rows_many = count()
    assert rows_few >= 1 and rows_many == 50
    assert many == few
