"""Shared set-up for the therapist API tests: a therapist with a token, and rows to fill a practice with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from practice import services
from practice.models import Patient, Therapist
from tests.practice.factories import (
    MoodEntryFactory,
    PatientFactory,
    ProgressAreaFactory,
    ProgressEntryFactory,
    SessionTypeFactory,
    TherapistFactory,
)

NS = "v1:practice:"


@dataclass
class Desk:
    """A therapist at work: their login, their API client, and the other therapist next door."""

    user: User
    therapist: Therapist
    client: APIClient
    other: Therapist
    other_patient: Patient


def make_desk() -> Desk:
    user = User.objects.create_user("alice", "alice@example.test", "x-unused")
    therapist = TherapistFactory(user=user, first_name="Alice")
    other_user = User.objects.create_user("bob", "bob@example.test", "x-unused")
    other = TherapistFactory(user=other_user, first_name="Bob")
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return Desk(
        user=user,
        therapist=therapist,
        client=client,
        other=other,
        other_patient=PatientFactory(therapist=other, first_name="Basil", last_name="Beta"),
    )


def fill_practice(desk: Desk, count: int, *, start_index: int = 0) -> list[Patient]:
    """``count`` patients, each with one of everything: an upcoming appointment, a tagged note (every other
    one signed and amended), a mood entry, a progress entry and an overdue bill."""
    session_type = SessionTypeFactory()
    area = ProgressAreaFactory(name="Anxiety")
    base = timezone.now().replace(microsecond=0) + timedelta(days=1)
    today = timezone.localdate()
    patients = []
    for i in range(start_index, start_index + count):
        patient = PatientFactory(therapist=desk.therapist, first_name=f"Pat{i}", last_name=f"Ient{i}")
        appointment = services.appointment_book(
            therapist=desk.therapist,
            patient=patient,
            session_type=session_type,
            scheduled_start=base + timedelta(hours=i),
        )
        note = services.session_note_create(
            therapist=desk.therapist,
            patient=patient,
            session_date=today - timedelta(days=i % 7),
            content="Notes.",
            tags=["sleep", f"t{i % 3}"],
            mood_rating=5,
            appointment=appointment,
        )
        if i % 2:
            services.session_note_sign(note=note, signed_by=desk.user)
            services.session_note_amend(note=note, author=desk.user, content="Addendum.", reason="Addendum")
        MoodEntryFactory(patient=patient, entry_date=today, mood_rating=6)
        ProgressEntryFactory(patient=patient, progress_area=area, entry_date=today, score=5)
        services.financial_record_create(
            therapist=desk.therapist,
            patient=patient,
            amount=Decimal("100.00"),
            record_type="session",
            record_date=today - timedelta(days=20),
            due_date=today - timedelta(days=5),
            appointment=appointment,
        )
        patients.append(patient)
    return patients


def fill_timeline(patient: Patient, count: int, *, first_day: date) -> None:
    area = ProgressAreaFactory(name="Mood")
    for i in range(count):
        day = first_day + timedelta(days=i)
        MoodEntryFactory(patient=patient, entry_date=day, mood_rating=1 + i % 10)
        ProgressEntryFactory(patient=patient, progress_area=area, entry_date=day, score=1 + i % 10)
        services.session_note_create(
            therapist=patient.therapist,
            patient=patient,
            session_date=day,
            content="Notes.",
            tags=["timeline", f"k{i % 4}"],
        )
