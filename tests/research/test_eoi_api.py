"""``/api/v1/research/staff/eois/``: the review queue, preview, convert (409 on a wrong state), reject (400/409)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from practice.models import Therapist
from research.models import EOIReviewEvent, ProfileStatus
from tests.research.eoi_support import make_eoi, make_user, reviewer

pytestmark = pytest.mark.django_db
S = ProfileStatus
BASE = "/api/v1/research/staff/eois/"


def _client(user: Any) -> APIClient:
    client = APIClient()
    _, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def staff() -> APIClient:
    return _client(reviewer())


def test_the_list_is_the_review_queue_oldest_first_and_filters_by_choices(staff: APIClient) -> None:
    now = timezone.now()
    old = make_eoi(submitted_at=now - timedelta(days=2))
    new = make_eoi(submitted_at=now, profile_status=S.IN_PROGRESS)
    rejected = make_eoi(profile_status=S.REJECTED)
    supporter = make_eoi(profile_status=S.NOT_APPLICABLE)
    body = staff.get(BASE).json()
    assert [row["id"] for row in body["results"]] == [str(old.pk), str(new.pk)]
    assert body["count"] == 2
    assert body["results"][0]["full_name"] == old.full_name
    assert [r["id"] for r in staff.get(BASE, {"status": "rejected"}).json()["results"]] == [str(rejected.pk)]
    assert [
        r["id"] for r in staff.get(BASE, {"status": "not_applicable", "audience": "supporter"}).json()["results"]
    ] == [str(supporter.pk)]
    bad = staff.get(BASE, {"status": "done"})
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]["fields"]


def test_the_list_query_count_is_the_same_for_1_and_20_eois(staff: APIClient, django_assert_num_queries: Any) -> None:
    make_eoi()
    with CaptureQueriesContext(connection) as one:
        staff.get(BASE)
    for n in range(19):  # each with its own reviewer: the usernames must not cost a query per row
        make_eoi(profile_status=S.IN_PROGRESS, reviewed_by=reviewer(f"r{n}"))
    with django_assert_num_queries(len(one)):
        assert len(staff.get(BASE).json()["results"]) == 20


def test_preview_shows_the_merge_target_and_the_field_plan(staff: APIClient) -> None:
    vic = Therapist.objects.create(
        email="jane@example.test",
        first_name="Jane",
        last_name="Berg",
        organisation="",
        license_verified=True,
        profile_source="vic_import",
    )
    eoi = make_eoi(email="jane@example.test", full_name="Dr. Jane van der Berg", organisation="Harbour")
    body = staff.get(f"{BASE}{eoi.pk}/preview/").json()
    assert body["merge_into"] == str(vic.pk)
    assert body["merge_into_verified"] is True
    fields = {f["therapist_field"]: f for f in body["fields"]}
    assert fields["organisation"]["change"] == "fill"
    assert fields["last_name"] == {
        **fields["last_name"],
        "current": "Berg",
        "proposed": "van der Berg",
        "change": "kept_verified",
    }
    assert staff.get(f"{BASE}00000000-0000-0000-0000-000000000000/preview/").status_code == 404


def test_convert_creates_the_profile_and_a_second_convert_is_a_409(staff: APIClient) -> None:
    eoi = make_eoi(full_name="Dr. Jane van der Berg", organisation="Harbour Psychology")
    response = staff.post(f"{BASE}{eoi.pk}/convert/")
    assert response.status_code == 200
    body = response.json()
    therapist = Therapist.objects.get(pk=body["therapist"])
    assert body["created"] is True
    assert body["eoi"]["profile_status"] == "created"
    assert body["eoi"]["reviewed_by"] == "rita"
    assert (therapist.first_name, therapist.last_name, therapist.organisation) == (
        "Jane",
        "van der Berg",
        "Harbour Psychology",
    )
    assert EOIReviewEvent.objects.get(eoi=eoi, action="created").source == "api"
    again = staff.post(f"{BASE}{eoi.pk}/convert/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert "Cannot convert this EOI: it is created" in again.json()["error"]["message"]
    assert Therapist.objects.count() == 1


def test_reject_needs_a_reason_and_a_rejectable_state(staff: APIClient) -> None:
    eoi = make_eoi()
    missing = staff.post(f"{BASE}{eoi.pk}/reject/", {}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["error"]["fields"]
    blank = staff.post(f"{BASE}{eoi.pk}/reject/", {"reason": "   "}, format="json")
    assert blank.status_code == 400
    eoi.refresh_from_db()
    assert eoi.profile_status == S.PENDING
    ok = staff.post(f"{BASE}{eoi.pk}/reject/", {"reason": "Not practising in VIC"}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["profile_status"], ok.json()["review_reason"]) == ("rejected", "Not practising in VIC")
    assert staff.post(f"{BASE}{eoi.pk}/reject/", {"reason": "again"}, format="json").status_code == 409
    assert staff.post(f"{BASE}{eoi.pk}/convert/").status_code == 409


def test_start_review_and_the_409_for_other_audiences(staff: APIClient) -> None:
    eoi = make_eoi()
    assert staff.post(f"{BASE}{eoi.pk}/start-review/").json()["profile_status"] == "in_progress"
    assert staff.post(f"{BASE}{eoi.pk}/start-review/").status_code == 409
    supporter = make_eoi(profile_status=S.NOT_APPLICABLE)
    assert staff.post(f"{BASE}{supporter.pk}/convert/").status_code == 409


def test_therapists_and_people_without_a_role_get_403_and_anonymous_401() -> None:
    eoi = make_eoi()
    for user in (make_user("charlie"), make_user("therapist_user", "Therapist")):
        client = _client(user)
        assert client.get(BASE).status_code == 403
        assert client.post(f"{BASE}{eoi.pk}/convert/").status_code == 403
    assert APIClient().get(BASE).status_code == 401
    eoi.refresh_from_db()
    assert eoi.profile_status == S.PENDING
