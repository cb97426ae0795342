"""The therapist admin page shows the research panels; the demo fixture loads and is self-consistent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from practice.models import Therapist
from research.models import EngagementEvent, ExpressionOfInterest, OutboundEmail, TherapistResearchState

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("loaddata", "research_demo", verbosity=0)


@pytest.fixture
def staff_client(client):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser("root", "root@example.test", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_the_demo_fixture_covers_every_status_and_agrees_with_its_events(demo: None) -> None:
    assert Therapist.objects.count() == 12
    assert set(ExpressionOfInterest.objects.values_list("profile_status", flat=True)) == {
        "pending",
        "in_progress",
        "created",
        "rejected",
        "not_applicable",
    }
    assert set(ExpressionOfInterest.objects.values_list("audience", flat=True)) == {
        "therapist",
        "individual",
        "organisation",
        "supporter",
    }
    for state in TherapistResearchState.objects.all():
        events = EngagementEvent.objects.filter(therapist_id=state.therapist_id)
        assert state.opens_count == events.filter(kind="email_opened", machine_open=False).count()
        assert state.clicks_count == events.filter(kind="email_clicked").count()
        assert (
            state.followup_count
            == OutboundEmail.objects.filter(therapist_id=state.therapist_id, step__in=[2, 3, 4]).count()
        )
    assert not Therapist.objects.filter(email__icontains="example.com").exists()


def test_the_therapist_page_shows_surveys_feedback_eois_emails_events_and_next_action(demo: None, staff_client) -> None:  # type: ignore[no-untyped-def]
    therapist = Therapist.objects.get(first_name="Harriet")
    response = staff_client.get(f"/admin/practice/therapist/{therapist.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "research stage",
        "next follow-up action",
        "Survey completed",
        "Email 5 – Thank you",
        "The matching quiz felt thoughtful.",
        "survey response",
        "engagement event",
    ):
        assert text.lower() in html.lower(), text


def test_every_research_admin_page_and_the_funnel_render(demo: None, staff_client) -> None:  # type: ignore[no-untyped-def]
    for model in (
        "surveyresponse",
        "feedback",
        "expressionofinterest",
        "outboundemail",
        "engagementevent",
        "suppression",
        "therapistresearchstate",
    ):
        assert staff_client.get(f"/admin/research/{model}/", follow=True).status_code == 200, model
    funnel = staff_client.get("/admin/research/therapistresearchstate/funnel/")
    assert funnel.status_code == 200 and b"Completion %" in funnel.content


def test_research_staff_can_open_the_therapist_page_with_its_research_panels(demo: None, client) -> None:  # type: ignore[no-untyped-def]
    from research.demo import ensure_research_staff_login

    ensure_research_staff_login()
    client.force_login(get_user_model().objects.get(username="research"))
    therapist = Therapist.objects.get(first_name="Harriet")
    response = client.get(f"/admin/practice/therapist/{therapist.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode().lower()
    assert "next follow-up action" in html and "the matching quiz felt thoughtful." in html
    assert client.get("/admin/research/engagementevent/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
