"""The world the access matrix runs in: therapists A and B, patients with portal logins, research staff.

Alice (therapist A) owns ``patient`` (portal login ``pat_a``) and ``patient_b`` (portal login ``pat_b``);
Bob (therapist B) owns ``bob_patient``. Alice's objects are in ``world``; every clinical text field of
Alice's note and appointment carries ``CANARY`` so tests can prove none of it leaks to patients.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from practice import services
from sanctuary import roles
from tests.practice.factories import (
    MoodEntryFactory,
    PatientFactory,
    ProgressAreaFactory,
    ProgressEntryFactory,
    SessionTypeFactory,
    TagFactory,
    TherapistFactory,
)

CANARY = "CANARY-private-7f3a9c"

AUDIENCE_USERS = {
    "self": {"owner": "alice", "other_same_role": "bob", "no_role": "charlie"},
    "therapist": {"owner": "alice", "other_same_role": "bob", "no_role": "charlie"},
    "patient": {"owner": "pat_a", "other_same_role": "pat_b", "no_role": "charlie"},
    "staff": {"owner": "rita", "other_same_role": "alice", "no_role": "charlie"},
}


def _user(username: str) -> User:
    return User.objects.create_user(username, f"{username}@example.test", "x-unused-password")


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    users = {name: _user(name) for name in ("alice", "bob", "charlie", "pat_a", "pat_b", "rita")}
    therapists_group = Group.objects.get(name=roles.THERAPIST)
    users["alice"].groups.add(therapists_group)
    users["bob"].groups.add(therapists_group)
    users["rita"].groups.add(Group.objects.get(name=roles.RESEARCH_STAFF))

    alice = TherapistFactory(user=users["alice"], first_name="Alice", last_name="Archer")
    bob = TherapistFactory(user=users["bob"], first_name="Bob", last_name="Baker")
    patient = PatientFactory(therapist=alice, user=users["pat_a"], first_name="Ada", last_name="Alpha")
    patient_b = PatientFactory(therapist=alice, user=users["pat_b"], first_name="Abe", last_name="Able")
    bob_patient = PatientFactory(therapist=bob, first_name="Basil", last_name="Beta")

    session_type = SessionTypeFactory()
    tag = TagFactory()
    area = ProgressAreaFactory()
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    appointment = services.appointment_book(
        therapist=alice,
        patient=patient,
        session_type=session_type,
        scheduled_start=start,
        scheduled_end=start + timedelta(minutes=50),
        private_notes=f"{CANARY} appointment private notes",
        preparation_notes=f"{CANARY} preparation",
        actor=users["alice"],
    )
    # A session that has already started: only such a one can be marked completed.
    held = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    started_appointment = services.appointment_book(
        therapist=alice,
        patient=patient_b,
        scheduled_start=held,
        scheduled_end=held + timedelta(minutes=50),
        actor=users["alice"],
    )
    note = services.session_note_create(
        therapist=alice,
        patient=patient,
        session_date=timezone.localdate(),
        content=f"{CANARY} session content",
        tags=[tag.name],
        mood_rating=6,
        is_private=True,
        suicide_risk_level="high",
        crisis_indicators=[f"{CANARY} indicator"],
        safety_plan=f"{CANARY} safety plan",
        session_goals=f"{CANARY} goals",
        homework_assigned=f"{CANARY} homework",
        next_session_focus=f"{CANARY} focus",
        actor=users["alice"],
    )
    mood = MoodEntryFactory(patient=patient, mood_rating=7)
    progress = ProgressEntryFactory(patient=patient, progress_area=area, score=6, baseline_score=3, target_score=8)
    invoice = services.financial_record_create(
        therapist=alice,
        patient=patient,
        record_date=timezone.localdate(),
        amount=Decimal("150.00"),
        record_type="session",
        due_date=timezone.localdate() + timedelta(days=14),
        actor=users["alice"],
    )
    owner_token, _ = AuthToken.objects.create(user=users["alice"])
    return {
        "users": users,
        "owner_token": owner_token,
        "canary": CANARY,
        "therapist": alice,
        "other_therapist": bob,
        "patient": patient,
        "patient_b": patient_b,
        "bob_patient": bob_patient,
        "appointment": appointment,
        "started_appointment": started_appointment,
        "note": note,
        "mood": mood,
        "progress": progress,
        "invoice": invoice,
        "tag": tag,
        "session_type": session_type,
        "progress_area": area,
    }


def client_for(role: str, world: dict[str, Any], audience: str = "self") -> APIClient:
    client = APIClient()
    if role != "anonymous":
        _, token = AuthToken.objects.create(user=world["users"][AUDIENCE_USERS[audience][role]])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
