"""Converting an EOI: a new profile, or a merge into the therapist with the same e-mail (e.g. a VIC import)."""

from __future__ import annotations

import threading
from typing import Any

import pghistory.models
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from practice.models import Therapist
from research.models import EOIReviewEvent, ProfileStatus, ReviewAction
from research.services import eoi_convert_to_profile
from sanctuary.errors import InvalidTransition
from tests.research.eoi_support import make_eoi, reviewer

S = ProfileStatus


def _diff(event: EOIReviewEvent) -> dict[str, dict[str, Any]]:
    return {entry["therapist_field"]: entry for entry in event.diff}


@pytest.mark.django_db
def test_a_new_profile_gets_every_mapped_field_and_the_original_bug_cannot_happen() -> None:
    rita = reviewer()
    eoi = make_eoi(
        full_name="Dr. Jane van der Berg",
        email="jane@example.test",
        organisation="Harbour Psychology",
        professional_title="Clinical Psychologist",
        specialisations="Trauma, Anxiety &amp; depression;  trauma\nLGBTQ+ affirming care",
    )
    result = eoi_convert_to_profile(eoi_id=eoi.pk, actor=rita, source="admin")

    therapist = Therapist.objects.get(pk=result.therapist.pk)
    assert result.created
    assert (therapist.title, therapist.first_name, therapist.last_name) == ("Dr.", "Jane", "van der Berg")
    # B.16: the script wrote the Organisation into Fullname. It goes to organisation, and nowhere else.
    assert therapist.organisation == "Harbour Psychology"
    assert "Harbour" not in therapist.full_name
    assert therapist.profession == "Clinical Psychologist"
    assert therapist.specializations == ["Trauma", "Anxiety & depression", "LGBTQ+ affirming care"]
    assert therapist.email == "jane@example.test"
    assert (therapist.profile_source, therapist.directory_status) == ("eoi", "pending_review")
    # Linked both ways.
    eoi.refresh_from_db()
    assert (eoi.profile_status, eoi.therapist_id, eoi.reviewed_by) == (S.CREATED, therapist.pk, rita)
    assert list(therapist.eois.all()) == [eoi]
    # Audited: who, when, source, the diff.
    event = EOIReviewEvent.objects.get(eoi=eoi, action=ReviewAction.CREATED)
    assert (event.actor, event.source, event.therapist_id, event.from_status, event.to_status) == (
        rita,
        "admin",
        therapist.pk,
        S.IN_PROGRESS,
        S.CREATED,
    )
    diff = _diff(event)
    assert diff["organisation"] == {
        **diff["organisation"],
        "eoi_field": "organisation",
        "current": None,
        "proposed": "Harbour Psychology",
        "change": "set",
    }
    assert diff["last_name"]["proposed"] == "van der Berg"


@pytest.mark.django_db
def test_the_rows_it_writes_carry_a_pghistory_context() -> None:
    rita = reviewer()
    eoi = make_eoi()
    result = eoi_convert_to_profile(eoi_id=eoi.pk, actor=rita, source="command")
    therapist_events = list(pghistory.models.Events.objects.tracks(result.therapist))
    assert [e.pgh_label for e in therapist_events] == ["insert"]
    context = therapist_events[0].pgh_context
    assert context["user"] == rita.pk
    assert (context["eoi"], context["eoi_action"], context["source"]) == (str(eoi.pk), "convert", "command")
    eoi_events = [e for e in pghistory.models.Events.objects.tracks(eoi) if e.pgh_label == "update"]
    assert eoi_events and all(e.pgh_context["eoi"] == str(eoi.pk) for e in eoi_events)


@pytest.mark.django_db
def test_merging_into_an_unverified_vic_therapist_fills_empty_fields_and_keeps_the_rest() -> None:
    vic = Therapist.objects.create(
        email="Jane.Doe@Example.test",
        first_name="Jane",
        last_name="Doe",
        title="",
        profession="Psychologist",
        organisation="",
        specializations=["Trauma"],
        profile_source="vic_import",
        directory_status="pending_review",
    )
    eoi = make_eoi(
        email="jane.doe@example.test",
        full_name="Dr. Jane Doe-Smith",
        professional_title="Counsellor",
        organisation="Doe Counselling",
        specialisations="trauma, Grief",
    )
    result = eoi_convert_to_profile(eoi_id=eoi.pk, actor=reviewer(), source="api")

    assert not result.created
    assert Therapist.objects.count() == 1
    vic.refresh_from_db()
    assert vic.title == "Dr."  # empty → filled
    assert vic.organisation == "Doe Counselling"  # empty → filled
    assert (vic.first_name, vic.last_name) == ("Jane", "Doe")  # same / kept
    assert vic.profession == "Psychologist"  # differs → kept, never overwritten
    assert vic.specializations == ["Trauma", "Grief"]  # unverified list extended, case-insensitively de-duplicated
    assert vic.email == "Jane.Doe@Example.test"
    assert vic.profile_source == "vic_import"  # a merged profile keeps its source
    event = EOIReviewEvent.objects.get(eoi=eoi, action=ReviewAction.MERGED)
    changes = {field: entry["change"] for field, entry in _diff(event).items()}
    assert changes == {
        "title": "fill",
        "first_name": "same",
        "last_name": "kept_conflict",
        "email": "same",
        "profession": "kept_conflict",
        "organisation": "fill",
        "specializations": "extend",
    }
    assert _diff(event)["profession"]["current"] == "Psychologist"
    assert _diff(event)["profession"]["proposed"] == "Counsellor"
    assert set(result.changed_fields) == {"title", "organisation", "specializations"}
    eoi.refresh_from_db()
    assert eoi.therapist == vic


@pytest.mark.django_db
@pytest.mark.parametrize(
    "verification", [{"license_verified": True}, {"directory_status": "published"}, {"directory_status": "verified"}]
)
def test_a_verified_profile_keeps_its_values_and_says_why(verification: dict[str, Any]) -> None:
    vic = Therapist.objects.create(
        email="v@example.test",
        first_name="Vera",
        last_name="Lane",
        profession="Psychologist",
        organisation="",
        specializations=["Trauma"],
        profile_source="vic_import",
        **verification,
    )
    eoi = make_eoi(
        email="V@Example.TEST",
        full_name="Vera Lane",
        professional_title="Art Therapist",
        organisation="Lane Studio",
        specialisations="Grief",
    )
    eoi_convert_to_profile(eoi_id=eoi.pk, actor=reviewer(), source="admin")
    vic.refresh_from_db()
    assert (vic.profession, vic.specializations, vic.organisation) == ("Psychologist", ["Trauma"], "Lane Studio")
    changes = {e["therapist_field"]: e["change"] for e in EOIReviewEvent.objects.get(action="merged").diff}
    assert changes["profession"] == changes["specializations"] == "kept_verified"
    assert changes["organisation"] == "fill"


@pytest.mark.django_db
def test_an_eoi_without_a_usable_name_cannot_create_a_profile_and_writes_nothing() -> None:
    eoi = make_eoi(full_name="   ", profile_status=S.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        eoi_convert_to_profile(eoi_id=eoi.pk, actor=reviewer(), source="admin")
    assert "first_name" in error.value.message_dict
    eoi.refresh_from_db()
    assert eoi.profile_status == S.IN_PROGRESS
    assert not Therapist.objects.exists()
    assert not EOIReviewEvent.objects.exists()


def _race(calls: list[Any]) -> list[Any]:
    """Run the calls at the same moment on their own connections; return result or exception per call."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = calls[i]()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_staff_converting_the_same_eoi_at_once_make_exactly_one_profile() -> None:
    eoi = make_eoi()
    rita, ravi = reviewer("rita"), reviewer("ravi")
    outcomes = _race(
        [lambda who=who: eoi_convert_to_profile(eoi_id=eoi.pk, actor=who, source="api") for who in (rita, ravi)]
    )

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), outcomes
    assert "it is created" in str(errors[0])
    assert Therapist.objects.count() == 1
    assert EOIReviewEvent.objects.filter(eoi=eoi, action=ReviewAction.CREATED).count() == 1
    eoi.refresh_from_db()
    assert eoi.profile_status == S.CREATED


@pytest.mark.django_db(transaction=True)
def test_two_eois_of_one_person_converted_at_once_make_one_profile_and_one_merge() -> None:
    first = make_eoi(email="same@example.test", full_name="Sam Lee", organisation="")
    second = make_eoi(email="same@example.test", full_name="Sam Lee", organisation="Lee Therapy")
    rita, ravi = reviewer("rita"), reviewer("ravi")
    outcomes = _race(
        [
            lambda: eoi_convert_to_profile(eoi_id=first.pk, actor=rita, source="api"),
            lambda: eoi_convert_to_profile(eoi_id=second.pk, actor=ravi, source="api"),
        ]
    )

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted(o.created for o in outcomes) == [False, True]
    therapist = Therapist.objects.get()
    assert therapist.organisation == "Lee Therapy"
    assert set(therapist.eois.values_list("id", flat=True)) == {first.pk, second.pk}
