"""practice.services.notes: session notes (risk assessments and their safety plan), mood and progress entries
(the 1–10 scales as field errors)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from practice import selectors, services


def test_scales_are_validated_with_field_messages(practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.mood_entry_record(patient=practice.alice_patient, entry_date=date(2030, 1, 1), mood_rating=11)
    assert "mood_rating" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.progress_entry_record(
            patient=practice.alice_patient,
            entry_date=date(2030, 1, 1),
            score=5,
            target_score=0,
        )
    assert "target_score" in error.value.message_dict


def test_the_risk_list_shows_patients_whose_latest_assessment_is_high_or_imminent(practice) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2030, 1, 1, tzinfo=UTC)
    kwargs = {"therapist": practice.alice_therapist, "patient": practice.alice_patient, "content": "c"}
    services.session_note_create(
        session_date=date(2030, 1, 1),
        suicide_risk_level="high",
        safety_plan="Call 13 11 14",
        crisis_indicators=["hopelessness"],
        risk_assessed_at=when,
        **kwargs,
    )
    rows = list(selectors.at_risk_patients(therapist=practice.alice_therapist))
    assert [(p.pk, p.risk_level) for p in rows] == [(practice.alice_patient.pk, "high")]
    services.session_note_create(
        session_date=date(2030, 1, 8), suicide_risk_level="low", risk_assessed_at=when + timedelta(days=7), **kwargs
    )
    assert list(selectors.at_risk_patients(therapist=practice.alice_therapist)) == []
    assert list(selectors.at_risk_patients(therapist=practice.bob_therapist)) == []


def test_a_high_risk_assessment_needs_a_safety_plan(practice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.session_note_create(
            therapist=practice.alice_therapist,
            patient=practice.alice_patient,
            session_date=date(2030, 1, 1),
            content="c",
            suicide_risk_level="imminent",
        )
    assert "safety_plan" in error.value.message_dict
