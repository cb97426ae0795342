"""factory_boy factories for the practice domain (synthetic people only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from practice.models import (
    Appointment,
    FinancialRecord,
    MoodEntry,
    Patient,
    ProgressArea,
    ProgressEntry,
    SessionNote,
    SessionType,
    Tag,
    Therapist,
)

BASE_START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    is_staff = True
    password = factory.django.Password("pw-for-tests")


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist

    email = factory.Sequence(lambda n: f"therapist{n}@example.test")
    first_name = factory.Sequence(lambda n: f"Thera{n}")
    last_name = "Pist"
    title = "Psychologist"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    therapist = factory.SubFactory(TherapistFactory)
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Sequence(lambda n: f"Ient{n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.test")


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType
        django_get_or_create = ("name",)

    name = "Individual"
    default_duration_minutes = 50
    default_rate = Decimal("150.00")


class ProgressAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressArea
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Area {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    scheduled_start = factory.Sequence(lambda n: BASE_START + timedelta(hours=n))
    scheduled_end = factory.LazyAttribute(lambda o: o.scheduled_start + timedelta(minutes=50))


class SessionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionNote

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    session_date = date(2030, 3, 1)
    content = "Discussed coping strategies."
    mood_rating = 6


class MoodEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoodEntry

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    entry_date = date(2030, 3, 1)
    mood_rating = 6


class ProgressEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressEntry

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    entry_date = date(2030, 3, 1)
    score = 5


class FinancialRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialRecord

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    record_date = date(2030, 3, 1)
    amount = Decimal("150.00")
    record_type = "session"
