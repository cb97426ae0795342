"""Standing practice fixtures: Alice (therapist, owns the patients), Bob (another therapist in the same
practice), Charlie (staff login without any practice role), a practice manager, and the demo practice."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from practice.models import Patient, Therapist
from sanctuary import roles
from tests.practice.factories import PatientFactory, TherapistFactory, UserFactory

DEMO_THERAPIST_ID = "550e8400-e29b-41d4-a716-446655440000"
AMELIA = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
BENJAMIN = "b2c3d4e5-f6a7-8901-bcde-f12345678901"
CHLOE = "c3d4e5f6-a7b8-9012-cdef-123456789012"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # PBKDF2 at full strength costs ~0.5 s per test user; these tests are not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Practice:
    alice: object
    bob: object
    charlie: object
    manager: object
    alice_therapist: Therapist
    bob_therapist: Therapist
    alice_patient: Patient
    bob_patient: Patient


@pytest.fixture
def practice(db: None) -> Practice:
    therapists = Group.objects.get(name=roles.THERAPIST)
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    charlie = UserFactory(username="charlie")
    manager = UserFactory(username="manager")
    alice.groups.add(therapists)
    bob.groups.add(therapists)
    manager.groups.add(Group.objects.get(name=roles.PRACTICE_MANAGER))
    alice_therapist = TherapistFactory(user=alice, first_name="Alice")
    bob_therapist = TherapistFactory(user=bob, first_name="Bob")
    return Practice(
        alice=alice,
        bob=bob,
        charlie=charlie,
        manager=manager,
        alice_therapist=alice_therapist,
        bob_therapist=bob_therapist,
        alice_patient=PatientFactory(therapist=alice_therapist, first_name="Ada", last_name="Alpha"),
        bob_patient=PatientFactory(therapist=bob_therapist, first_name="Basil", last_name="Beta"),
    )


@pytest.fixture
def demo(db: None) -> Therapist:
    """The original demo practice, loaded exactly as ``manage.py up`` loads it (dates not rebased)."""
    call_command("loaddata", "practice_demo", verbosity=0)
    return Therapist.objects.get(pk=DEMO_THERAPIST_ID)
