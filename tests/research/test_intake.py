"""Public intake endpoints: valid input is stored and linked; every bad input is a 400 that writes nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core import signing
from django.test import override_settings

from research.models import (
    EngagementEvent,
    ExpressionOfInterest,
    Feedback,
    FunnelStage,
    Suppression,
    SurveyResponse,
    TherapistResearchState,
)
from research.tokens import SURVEY_SALT, survey_token_make, unsubscribe_token_make
from tests.research.conftest import make_therapist

pytestmark = pytest.mark.django_db

SURVEY = "/api/v1/research/survey/responses/"
SESSION = "/api/v1/research/survey/session/"
FEEDBACK = "/api/v1/research/feedback/"
EOI = "/api/v1/research/eoi/"
SANDBOX = "/api/v1/research/sandbox-visits/"
TABLES = (SurveyResponse, Feedback, ExpressionOfInterest, EngagementEvent, TherapistResearchState, Suppression)


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in TABLES)


def survey_body(token: str, **answers: Any) -> dict[str, Any]:
    survey = {
        "email": "Contact@Example.test",
        "profession": "Psychologist",
        "years_practice": "6–10 years",
        "client_types": ["Adults", "LGBTQ+", "Adults"],
        "modalities": ["CBT", "Person-Centred"],
        "clients_find_you": ["Referrals"],
        "match_factors": ["Trust", "Shared core values"],
        "biggest_gap": "Listings say nothing about fit.",
        "screens_clients": "Yes",
        "open_to_sharing": "Maybe",
        "questions_matter": ["Values and beliefs"],
        "personality_test": "No",
        "too_personal": ["Political views"],
        "profile_detail_level": 7,
        "onboarding_time": "2-3 min",
        "free_listing_interest": "Maybe later",
        "profile_intent": "Yes",
        "future_contact": "Yes",
        "comments": "Happy to help.",
        "value_fee_per_match": "25",
        "value_monthly_subscription": "50",
    }
    survey.update(answers)
    return {
        "token": token,
        "session_id": "sess-1",
        "consent": {"accepted": True, "version": "2025-11-13", "timestamp": "2026-10-02T10:00:00+10:00"},
        "survey": survey,
        "metadata": {
            "utm": {"source": "email", "medium": "research", "campaign": "therapist_research", "content": "survey"},
            "referrer": "https://mail.example.test/",
            "landing_path": "/research/survey/",
        },
    }


def field_errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The per-field messages of the API's one error shape."""
    return response.json()["error"]["fields"]


def post(api, url: str, body: Any, **extra: Any):  # type: ignore[no-untyped-def]
    return api.post(url, data=json.dumps(body), content_type="application/json", **extra)


# ------------------------------------------------------------------------------------------ survey
def test_the_session_prefills_name_email_and_practice_from_the_token(api, therapist, token) -> None:
    response = api.get(SESSION, {"token": token})
    assert response.status_code == 200
    assert response.json()["therapist"] == {
        "first_name": therapist.first_name,
        "name": therapist.full_name,
        "email": therapist.email,
        "practice": therapist.organisation,
    }
    assert response.json()["already_submitted"] is False
    assert response["Cache-Control"] == "no-store"
    assert counts() == (0, 0, 0, 0, 0, 0)  # reading a session writes nothing


@pytest.mark.parametrize("bad", ["", "garbage", "preview"])
def test_a_missing_or_bad_session_token_is_a_400(api, db, bad: str) -> None:
    response = api.get(SESSION, {"token": bad} if bad else {})
    assert response.status_code == 400 and "token" in field_errors(response)


def test_an_expired_token_is_refused(api, therapist) -> None:
    token = survey_token_make(therapist_id=therapist.id)
    with override_settings(RESEARCH_TOKEN_MAX_AGE=-1):
        response = api.get(SESSION, {"token": token})
    assert response.status_code == 400 and "expired" in field_errors(response)["token"][0]


def test_a_token_signed_for_another_purpose_is_refused(api, therapist) -> None:
    token = unsubscribe_token_make(email=therapist.email)
    assert api.get(SESSION, {"token": token}).status_code == 400
    forged = signing.dumps({"t": str(therapist.id)}, salt=SURVEY_SALT, key="not-our-secret-key")
    assert api.get(SESSION, {"token": forged}).status_code == 400


def test_a_survey_is_stored_canonically_linked_to_the_token_and_completes_the_funnel(api, therapist, token) -> None:
    response = post(api, SURVEY, survey_body(token))
    assert response.status_code == 201, response.json()
    saved = SurveyResponse.objects.get()
    assert saved.therapist_id == therapist.id
    assert (saved.profession, saved.years_practice, saved.onboarding_time) == ("psychologist", "6-10", "2-3_min")
    assert saved.client_types == ["adults", "lgbtq"]  # canonical and de-duplicated
    assert (saved.fee_per_match, saved.monthly_subscription) == (25, 50)
    assert (saved.utm_source, saved.utm_content, saved.session_id) == ("email", "survey", "sess-1")
    assert saved.consent_version == "2025-11-13"
    state = TherapistResearchState.objects.get(therapist=therapist)
    assert state.stage == FunnelStage.SURVEY_COMPLETED and state.survey_completed_at is not None
    event = EngagementEvent.objects.get(kind="survey_completed")
    assert event.context["variant"] == "A" and event.context["utm_campaign"] == "therapist_research"


def test_pricing_lands_only_in_the_two_decimal_fields_never_in_notes_or_comments(api, therapist, token) -> None:
    post(api, SURVEY, survey_body(token, comments="Great idea."))
    saved = SurveyResponse.objects.get()
    assert saved.notes == "" and saved.comments == "Great idea."
    text = " ".join(str(v) for v in SurveyResponse.objects.values().get().values())
    assert "Fee per match" not in text and "Monthly subscription" not in text and "AUD" not in text


def test_resubmitting_with_the_same_token_updates_and_never_duplicates(api, therapist, token) -> None:
    assert post(api, SURVEY, survey_body(token)).status_code == 201
    second = post(api, SURVEY, survey_body(token, profession="Counsellor", value_fee_per_match="40"))
    assert second.status_code == 200 and second.json()["updated"] is True
    saved = SurveyResponse.objects.get()
    assert (saved.profession, saved.fee_per_match) == ("counsellor", 40)
    assert EngagementEvent.objects.filter(kind="survey_completed").count() == 1


SURVEY_INVALID = [
    ("token", lambda b: b.update(token="tampered")),
    ("token", lambda b: b.pop("token")),
    ("consent", lambda b: b["consent"].update(accepted=False)),
    ("consent", lambda b: b.pop("consent")),
    ("survey", lambda b: b["survey"].update(profession="Wizard")),
    ("survey", lambda b: b["survey"].update(years_practice="forever")),
    ("survey", lambda b: b["survey"].update(client_types=[])),
    ("survey", lambda b: b["survey"].update(modalities=["CBT", "Reiki"])),
    ("survey", lambda b: b["survey"].update(modalities="CBT")),
    ("survey", lambda b: b["survey"].update(profile_detail_level=11)),
    ("survey", lambda b: b["survey"].update(profile_detail_level=0)),
    ("survey", lambda b: b["survey"].update(biggest_gap="")),
    ("survey", lambda b: b["survey"].pop("future_contact")),
    ("survey", lambda b: b["survey"].update(future_contact="Yes", email="")),
    ("survey", lambda b: b["survey"].update(email="not-an-email")),
    ("survey", lambda b: b["survey"].update(profession="Other", profession_other="")),
    ("survey", lambda b: b["survey"].update(value_fee_per_match="-5")),
    ("survey", lambda b: b["survey"].update(value_fee_per_match="twenty")),
    ("survey", lambda b: b["survey"].update(surprise="field")),
    ("metadata", lambda b: b["metadata"].update(user_agent="x")),
    ("metadata", lambda b: b["metadata"]["utm"].update(email="1")),
    ("therapist", lambda b: b.update(therapist={"email": "x@example.test"})),
]


@pytest.mark.parametrize(("field", "mutate"), SURVEY_INVALID)
def test_each_invalid_survey_field_is_a_400_that_writes_nothing(api, therapist, token, field: str, mutate) -> None:  # type: ignore[no-untyped-def]
    body = copy.deepcopy(survey_body(token))
    mutate(body)
    before = counts()
    response = post(api, SURVEY, body)
    assert response.status_code == 400
    assert field in field_errors(response)
    assert counts() == before


def test_non_json_and_oversize_bodies_are_refused(api, token) -> None:
    assert api.post(SURVEY, data="not json", content_type="application/json").status_code == 400
    assert post(api, SURVEY, ["a", "list"]).status_code == 400
    huge = survey_body(token, comments="x" * 40_000)
    assert post(api, SURVEY, huge).status_code == 413
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_cors_is_allowed_only_for_the_configured_site_origins(api, token) -> None:
    ok = api.options(SURVEY, HTTP_ORIGIN="https://therapair.com.au", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert ok["Access-Control-Allow-Origin"] == "https://therapair.com.au"
    evil = api.options(SURVEY, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in evil
    admin = api.options(
        "/admin/login/", HTTP_ORIGIN="https://therapair.com.au", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in admin


def test_intake_is_throttled(api, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.throttling import ScopedRateThrottle

    # DRF reads the rates once at import; patch the class attribute for this test only.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"research_intake": "2/min", "research_beacon": "2/min"})
    statuses = [post(api, FEEDBACK, {"rating": 4}).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


# ---------------------------------------------------------------------------------------- feedback
def test_feedback_with_a_token_links_the_therapist_and_the_survey_response(api, therapist, token) -> None:
    post(api, SURVEY, survey_body(token))
    response = post(
        api,
        FEEDBACK,
        {
            "rating": 5,
            "comment": "Lovely",
            "tags": ["Usability", "Bug"],
            "token": token,
            "section": "sandbox",
            "page_url": "https://therapair.com.au/sandbox/",
            "scroll_percent": 40,
            "utm_source": "email",
        },
    )
    assert response.status_code == 201, response.json()
    feedback = Feedback.objects.get()
    assert feedback.therapist_id == therapist.id
    assert feedback.survey_response_id == SurveyResponse.objects.get().id
    assert (feedback.audience, feedback.tags) == ("sandbox", ["usability", "bug"])
    assert feedback.context == {"scroll_percent": 40, "utm_source": "email"}
    assert TherapistResearchState.objects.get(therapist=therapist).feedback_count == 1


def test_feedback_links_by_survey_session_then_falls_back_to_email(api, therapist, token) -> None:
    post(api, SURVEY, survey_body(token))
    post(api, FEEDBACK, {"rating": 4, "session_id": "sess-1", "section": "survey"})
    other = make_therapist(email="Other.Person@Example.test")
    post(api, FEEDBACK, {"rating": 3, "therapist_email": "  other.person@example.TEST ", "section": "home"})
    by_session, by_email = Feedback.objects.order_by("submitted_at")
    assert by_session.therapist_id == therapist.id and by_session.audience == "survey"
    assert by_email.therapist_id == other.id and by_email.audience == "website"


def test_feedback_without_identity_is_stored_anonymously(api, db) -> None:
    assert post(api, FEEDBACK, {"rating": 2, "comment": "Slow homepage"}).status_code == 201
    feedback = Feedback.objects.get()
    assert feedback.therapist_id is None and feedback.survey_response_id is None
    assert not EngagementEvent.objects.exists()


FEEDBACK_INVALID = [
    ("rating", {}),
    ("rating", {"rating": 6}),
    ("rating", {"rating": 0}),
    ("rating", {"rating": "five"}),
    ("tags", {"tags": ["Praise"]}),
    ("section", {"section": "admin"}),
    ("page_url", {"page_url": "javascript:alert(1)"}),
    ("token", {"token": "nope"}),
    ("therapist_email", {"therapist_email": "1"}),
    ("comment", {"comment": "x" * 5001}),
    ("scroll_percent", {"scroll_percent": 101}),
    ("source", {"source": "sandbox"}),
]


@pytest.mark.parametrize(("field", "extra"), FEEDBACK_INVALID)
def test_each_invalid_feedback_field_is_a_400_that_writes_nothing(api, db, field: str, extra: dict) -> None:  # type: ignore[type-arg]
    body = {"rating": 4, **extra}
    if field == "rating" and not extra:
        body.pop("rating")
    before = counts()
    response = post(api, FEEDBACK, body)
    assert response.status_code == 400 and field in field_errors(response)
    assert counts() == before


# --------------------------------------------------------------------------------------------- EOI
EOI_VALID = [
    {
        "audience": "therapist",
        "full_name": "Ada Lark",
        "professional_title": "Clinical Psychologist",
        "organisation": "Lark Psychology",
        "specialisations": "Anxiety",
    },
    {
        "audience": "organization",
        "contact_name": "Jo Reed",
        "position": "Manager",
        "organisation_name": "Clinic",
        "partnership_interest": "Referrals",
    },
    {
        "audience": "individual",
        "therapy_interests": ["LGBTQ+ affirming care", "Anxiety &amp; depression"],
        "additional_thoughts": "Someone kind",
        "full_name": "Sam",
    },
    {"audience": "other", "full_name": "Gus", "support_interest": "Spread the word"},
]


@pytest.mark.parametrize("fields", EOI_VALID, ids=lambda f: f["audience"])
def test_an_eoi_of_each_audience_is_stored(api, db, fields: dict) -> None:  # type: ignore[type-arg]
    response = post(api, EOI, {"email": " Person@Example.test ", "email_consent": True, **fields})
    assert response.status_code == 201, response.json()
    eoi = ExpressionOfInterest.objects.get()
    assert eoi.email == "person@example.test"
    expected_status = "pending" if fields["audience"] == "therapist" else "not_applicable"
    assert eoi.profile_status == expected_status
    assert "research_feedback" in eoi.email_preferences
    if fields["audience"] == "individual":
        assert eoi.therapy_interests == ["lgbtq_affirming", "anxiety_depression"]
        assert eoi.full_name == "Sam"  # the original dropped individuals' names


def test_a_therapist_eoi_links_an_existing_directory_therapist_by_email(api, db) -> None:
    existing = make_therapist(email="ada.lark@example.test")
    post(api, EOI, {"email": "ADA.LARK@example.test", "email_consent": True, **EOI_VALID[0]})
    assert ExpressionOfInterest.objects.get().therapist_id == existing.id


def test_the_eoi_form_may_post_form_encoded(api, db) -> None:
    from urllib.parse import urlencode

    form = urlencode(
        {
            "audience": "individual",
            "email": "a@example.test",
            "email_consent": "yes",
            "therapy_interests": ["Cultural competency", "Relationship issues"],
        },
        doseq=True,
    )
    response = api.post(EOI, data=form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.json()
    assert ExpressionOfInterest.objects.get().therapy_interests == ["cultural_competency", "relationship_issues"]


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(api, db) -> None:
    response = post(
        api,
        EOI,
        {"email": "bot@example.test", "email_consent": True, "audience": "individual", "_honey": "http://spam.example"},
    )
    assert response.status_code == 201
    assert not ExpressionOfInterest.objects.exists()


EOI_INVALID = [
    ("email", {"email": "nope"}),
    ("email", {"email": ""}),
    ("email_consent", {"email_consent": False}),
    ("audience", {"audience": "investor"}),
    ("full_name", {"full_name": ""}),
    ("professional_title", {"professional_title": ""}),
    ("therapy_interests", {"therapy_interests": ["Anxiety"]}),
    ("contact_name", {"contact_name": "Jo"}),  # not asked of therapists
    ("Therapy_Interests", {"Therapy_Interests": "x"}),
]


@pytest.mark.parametrize(("field", "change"), EOI_INVALID)
def test_each_invalid_eoi_field_is_a_400_that_writes_nothing(api, db, field: str, change: dict) -> None:  # type: ignore[type-arg]
    body = {"email": "a@example.test", "email_consent": True, **EOI_VALID[0], **change}
    before = counts()
    response = post(api, EOI, body)
    assert response.status_code == 400 and field in field_errors(response), response.json()
    assert counts() == before


def test_organisations_must_name_contact_position_and_organisation(api, db) -> None:
    response = post(api, EOI, {"email": "a@example.test", "email_consent": True, "audience": "organisation"})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"contact_name", "position", "organisation_name"}


# ---------------------------------------------------------------------------------------- sandbox
def test_a_sandbox_beacon_is_recorded_once_per_session_with_one_statement(api, therapist, token) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = json.dumps({"token": token, "session_id": "sess-9", "page_path": "/sandbox/"})
    with CaptureQueriesContext(connection) as queries:
        response = api.post(SANDBOX, data=body, content_type="text/plain;charset=UTF-8")  # navigator.sendBeacon
    assert response.status_code == 204
    # The rate limit's counter upsert, then the one event statement.
    assert ["sanctuary_throttlewindow" in q["sql"] for q in queries] == [True, False]
    api.post(SANDBOX, data=body, content_type="application/json")
    state = TherapistResearchState.objects.get(therapist=therapist)
    assert state.sandbox_visits_count == 1 and state.last_sandbox_visit_at is not None
    assert EngagementEvent.objects.get().kind == "sandbox_visited"


@pytest.mark.parametrize(
    "body", [{"email": "someone@example.test"}, {"token": "forged"}, {"token": None}, {"session_id": "s"}]
)
def test_a_sandbox_beacon_needs_a_signed_token_not_an_email(api, therapist, body: dict) -> None:  # type: ignore[type-arg]
    response = post(api, SANDBOX, body)
    assert response.status_code == 400
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_a_beacon_for_a_deleted_participant_is_a_400(api, db) -> None:
    ghost = make_therapist()
    token = survey_token_make(therapist_id=ghost.id)
    ghost.delete()
    assert post(api, SANDBOX, {"token": token}).status_code == 400
    assert not EngagementEvent.objects.exists()


# ------------------------------------------------------------------------------------ unsubscribe
def test_unsubscribe_get_only_shows_a_confirmation(client, therapist) -> None:
    url = f"/research/unsubscribe/{unsubscribe_token_make(email=therapist.email)}/"
    response = client.get(url)
    assert response.status_code == 200 and b"Stop research e-mails?" in response.content
    assert therapist.email.encode() not in response.content  # masked
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_unsubscribe_post_suppresses_and_flags_the_therapist(client, therapist) -> None:
    url = f"/research/unsubscribe/{unsubscribe_token_make(email=therapist.email)}/"
    response = client.post(url)
    assert response.status_code == 200 and b"unsubscribed" in response.content
    assert Suppression.objects.get().email == therapist.email
    assert TherapistResearchState.objects.get(therapist=therapist).unsubscribed_at is not None
    assert EngagementEvent.objects.get().kind == "unsubscribed"


def test_rfc8058_one_click_unsubscribe_works_for_addresses_outside_the_directory(client, db) -> None:
    url = f"/research/unsubscribe/{unsubscribe_token_make(email='EOI.Person@Example.test')}/"
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Suppression.objects.get().email == "eoi.person@example.test"
    assert EngagementEvent.objects.get().context == {"method": "one_click"}


def test_an_unsigned_or_tampered_unsubscribe_link_changes_nothing(client, therapist) -> None:
    token = unsubscribe_token_make(email=therapist.email)
    for bad in (token[:-2] + "xx", therapist.email, "abc"):
        assert client.post(f"/research/unsubscribe/{bad}/").status_code in (400, 404)
    assert counts() == (0, 0, 0, 0, 0, 0)


# ------------------------------------------------------------------------- statement budgets (issue 7)
def _statements(api, url: str, body: Any) -> list[str]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = post(api, url, body)
    assert response.status_code < 300, response.content
    # The rate limit is one upsert of its counter (sanctuary.throttles); the budgets below are the endpoint's own.
    throttle = [q["sql"] for q in queries if "sanctuary_throttlewindow" in q["sql"]]
    assert len(throttle) == 1 and "INSERT INTO sanctuary_throttlewindow" in throttle[0], throttle
    return [q["sql"] for q in queries if "sanctuary_throttlewindow" not in q["sql"]]


def test_a_survey_submission_is_one_upsert_and_one_event_statement(api, token) -> None:
    """Create and update alike: the upsert (INSERT ... ON CONFLICT DO UPDATE) and the event statement, in
    one transaction; no read of the response table, locked or not."""
    first = _statements(api, SURVEY, survey_body(token))
    again = _statements(api, SURVEY, survey_body(token, comments="Second thoughts."))
    for statements in (first, again):
        touching = [s for s in statements if '"research_surveyresponse"' in s]
        assert len(touching) == 1, touching
        assert 'INSERT INTO "research_surveyresponse"' in touching[0] and "ON CONFLICT" in touching[0]
        # The transaction's own statements (savepoints under the test's transaction; pghistory prefixes
        # its context to every statement in a request) aside.
        writes = [s for s in statements if "SAVEPOINT" not in s]
        assert len(writes) == 2, [s[:80] for s in writes]
    assert SurveyResponse.objects.get().comments == "Second thoughts."


def test_a_resubmission_keeps_the_staff_columns_and_the_first_id(api, token) -> None:
    first = post(api, SURVEY, survey_body(token)).json()
    SurveyResponse.objects.update(processing_status="in_review", notes="Called back.")
    again = post(api, SURVEY, survey_body(token, comments="Changed my mind.")).json()
    row = SurveyResponse.objects.get()
    assert again == {"id": first["id"], "updated": True} and str(row.pk) == first["id"]
    assert (row.processing_status, row.notes, row.comments) == ("in_review", "Called back.", "Changed my mind.")
    assert row.created_at < row.updated_at


def test_the_survey_answer_says_whether_it_updated(api, token) -> None:
    assert post(api, SURVEY, survey_body(token)).json()["updated"] is False
    assert post(api, SURVEY, survey_body(token)).json()["updated"] is True


def test_the_beacon_is_one_statement_and_anonymous_feedback_and_eoi_at_most_two(api, token) -> None:
    assert len(_statements(api, SANDBOX, {"token": token, "session_id": "s-1", "page_path": "/sandbox/"})) == 1
    assert len(_statements(api, FEEDBACK, {"rating": 4, "comment": "Clear."})) <= 2
    eoi = {
        "email": "person@example.test",
        "email_consent": True,
        "audience": "other",
        "full_name": "Gus",
        "support_interest": "Spread the word",
    }
    assert len(_statements(api, EOI, eoi)) <= 2


def test_an_unsubscribe_link_reveals_nothing_personal(client, therapist) -> None:
    import base64

    token = unsubscribe_token_make(email=therapist.email)
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert therapist.email.encode() not in decoded and therapist.email.split("@")[0].encode() not in decoded
    assert client.post(f"/research/unsubscribe/{token}/").status_code == 200
    assert Suppression.objects.get().email == therapist.email


def test_a_link_signed_before_encryption_still_unsubscribes(client, therapist) -> None:
    from research.tokens import UNSUBSCRIBE_SALT

    legacy = signing.dumps({"e": therapist.email}, salt=UNSUBSCRIBE_SALT, compress=True)
    assert client.post(f"/research/unsubscribe/{legacy}/").status_code == 200
    assert Suppression.objects.get().email == therapist.email


def test_an_expired_unsubscribe_link_says_so(client, therapist) -> None:
    token = unsubscribe_token_make(email=therapist.email)
    with override_settings(RESEARCH_UNSUBSCRIBE_MAX_AGE=-1):
        response = client.post(f"/research/unsubscribe/{token}/")
    assert response.status_code == 400 and b"expired" in response.content
