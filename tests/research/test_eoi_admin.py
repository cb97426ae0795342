"""The EOI review queue in the admin: filters, the mapping preview, start/convert/reject/reopen, bulk reject."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from practice.models import Therapist
from research.models import EOIReviewEvent, ProfileStatus
from tests.research.eoi_support import make_eoi, manager, reviewer

pytestmark = pytest.mark.django_db
S = ProfileStatus
EOI_ADMIN = "/admin/research/expressionofinterest/"


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(reviewer())
    return client


def test_the_queue_opens_on_pending_and_its_all_choice_shows_every_eoi(staff: Client) -> None:
    make_eoi(full_name="Pending Person")
    make_eoi(full_name="Rejected Person", profile_status=S.REJECTED)
    response = staff.get(EOI_ADMIN, follow=True)
    assert response.redirect_chain == [(f"{EOI_ADMIN}?profile_status__exact=pending", 302)]
    body = response.content.decode()
    assert "Pending Person" in body and "Rejected Person" not in body
    assert "?profile_status__isnull=False" in body
    every = staff.get(EOI_ADMIN, {"profile_status__isnull": "False"})
    assert every.status_code == 200
    assert "Pending Person" in every.content.decode() and "Rejected Person" in every.content.decode()


def test_the_queue_filters_by_status_and_audience(staff: Client) -> None:
    pending = make_eoi(full_name="Pending Person")
    make_eoi(full_name="Rejected Person", profile_status=S.REJECTED)
    make_eoi(profile_status=S.NOT_APPLICABLE, full_name="Supporter Sue")
    body = staff.get(EOI_ADMIN, {"profile_status__exact": "pending", "audience__exact": "therapist"}).content.decode()
    assert "Pending Person" in body
    assert "Rejected Person" not in body and "Supporter Sue" not in body
    assert pending.email in body


def test_the_change_page_shows_the_mapping_preview_against_the_existing_profile(staff: Client) -> None:
    Therapist.objects.create(
        email="jane@example.test", first_name="Jane", last_name="Berg", profession="GP", profile_source="vic_import"
    )
    eoi = make_eoi(
        email="jane@example.test",
        full_name="Dr. Jane van der Berg",
        organisation="Harbour Psychology",
        professional_title="Psychologist",
    )
    body = staff.get(f"{EOI_ADMIN}{eoi.pk}/change/").content.decode()
    assert "mapping preview" in body.lower()
    assert "Converting merges into the existing profile Jane Berg" in body
    assert '<tr class="change-fill"><td>organisation</td><td>Harbour Psychology</td><td>organisation</td>' in body
    assert (
        '<tr class="change-kept_conflict"><td>professional_title</td><td>Psychologist</td><td>profession</td>'
        "<td>GP</td><td>Psychologist</td>" in body
    )
    assert "fills the empty field" in body and "kept: differs, review by hand" in body
    assert f"{eoi.pk}/review/convert/" in body and f"{eoi.pk}/review/reject/" in body
    assert f"{eoi.pk}/review/reopen/" not in body


def test_convert_shows_a_confirmation_with_the_preview_then_creates_and_links_the_profile(staff: Client) -> None:
    eoi = make_eoi(full_name="Dr. Jane van der Berg")
    url = f"{EOI_ADMIN}{eoi.pk}/review/convert/"
    page = staff.get(url).content.decode()
    assert "creates a new profile" in page and "van der Berg" in page and "Confirm" in page
    eoi.refresh_from_db()
    assert eoi.profile_status == S.PENDING  # the GET changed nothing
    response = staff.post(url, follow=True)
    eoi.refresh_from_db()
    assert eoi.profile_status == S.CREATED
    assert "Created the profile Jane van der Berg" in response.content.decode()
    # The created profile opens from the queue (filtered to created EOIs) and the change page.
    profile_url = f"/admin/practice/therapist/{eoi.therapist_id}/change/"
    assert profile_url in staff.get(EOI_ADMIN, {"profile_status__exact": "created"}).content.decode()
    assert profile_url in staff.get(f"{EOI_ADMIN}{eoi.pk}/change/").content.decode()
    assert staff.get(profile_url).status_code == 200
    # A second confirmation (double click, stale page) is a message, not a second profile.
    again = staff.post(url, follow=True).content.decode()
    assert "Cannot convert this EOI: it is created" in again
    assert Therapist.objects.count() == 1


def test_start_then_reject_with_a_reason(staff: Client) -> None:
    eoi = make_eoi()
    staff.post(f"{EOI_ADMIN}{eoi.pk}/review/start/")
    eoi.refresh_from_db()
    assert eoi.profile_status == S.IN_PROGRESS
    url = f"{EOI_ADMIN}{eoi.pk}/review/reject/"
    assert staff.post(url, {"reason": ""}).status_code == 200  # the form again, with its error
    eoi.refresh_from_db()
    assert eoi.profile_status == S.IN_PROGRESS
    staff.post(url, {"reason": "Duplicate of an earlier application"})
    eoi.refresh_from_db()
    assert (eoi.profile_status, eoi.review_reason) == (S.REJECTED, "Duplicate of an earlier application")
    # The audit trail is readable on the page and in its own admin.
    body = staff.get(f"{EOI_ADMIN}{eoi.pk}/change/").content.decode()
    assert "Duplicate of an earlier application" in body and "Review started" in body
    event = EOIReviewEvent.objects.get(eoi=eoi, action="rejected")
    assert staff.get(f"/admin/research/eoireviewevent/{event.pk}/change/").status_code == 200


def test_only_a_manager_can_reopen_from_the_admin(client: Client) -> None:
    eoi = make_eoi(profile_status=S.REJECTED)
    client.force_login(reviewer())
    response = client.post(f"{EOI_ADMIN}{eoi.pk}/review/reopen/", {"reason": "please"}, follow=True)
    assert "You may not reopen" in response.content.decode()
    eoi.refresh_from_db()
    assert eoi.profile_status == S.REJECTED
    boss = manager()  # a Practice manager, not a superuser
    assert not boss.is_superuser
    client.force_login(boss)
    assert client.get(f"{EOI_ADMIN}{eoi.pk}/change/").status_code == 200
    client.post(f"{EOI_ADMIN}{eoi.pk}/review/reopen/", {"reason": "New evidence"})
    eoi.refresh_from_db()
    assert eoi.profile_status == S.PENDING
    assert EOIReviewEvent.objects.filter(eoi=eoi, action="reopened", actor=boss).exists()


def _action(client: Client, name: str, eois: list[Any], **extra: str) -> Any:
    return client.post(
        EOI_ADMIN, {"action": name, ACTION_CHECKBOX_NAME: [str(e.pk) for e in eois], **extra}, follow=True
    )


def test_bulk_reject_asks_for_one_reason_and_skips_what_cannot_be_rejected(staff: Client) -> None:
    first, second = make_eoi(), make_eoi(profile_status=S.IN_PROGRESS)
    done = make_eoi(profile_status=S.CREATED)
    ask = _action(staff, "reject_selected", [first, second, done]).content.decode()
    assert "Reject these 3 expressions of interest" in ask
    first.refresh_from_db()
    assert first.profile_status == S.PENDING  # nothing happens before the reason
    result = _action(staff, "reject_selected", [first, second, done], apply="1", reason="Spam wave").content.decode()
    assert "Rejected 2 EOI(s)." in result
    assert "Cannot reject this EOI: it is created" in result
    for eoi, status in ((first, S.REJECTED), (second, S.REJECTED), (done, S.CREATED)):
        eoi.refresh_from_db()
        assert eoi.profile_status == status


def test_there_is_no_bulk_approve(staff: Client) -> None:
    make_eoi()
    page = staff.get(EOI_ADMIN, follow=True).content.decode()
    assert 'value="reject_selected"' in page
    assert "convert" not in page.split('name="action"')[1].split("</select>")[0].lower()
