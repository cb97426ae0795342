"""factory_boy factories for the practice domain (synthetic people only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

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

M = TypeVar("M")


class ModelFactory(factory.django.DjangoModelFactory[M]):
    """A DjangoModelFactory whose call is typed as the model it creates (factory_boy types it as the factory)."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]


class UserFactory(ModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    is_staff = True
    password = factory.django.Password("pw-for-tests")


class TherapistFactory(ModelFactory[Therapist]):
    class Meta:
        model = Therapist

    email = factory.Sequence(lambda n: f"therapist{n}@example.test")
    first_name = factory.Sequence(lambda n: f"Thera{n}")
    last_name = "Pist"
    title = "Psychologist"


class PatientFactory(ModelFactory[Patient]):
    class Meta:
        model = Patient

    therapist = factory.SubFactory(TherapistFactory)
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Sequence(lambda n: f"Ient{n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.test")


class SessionTypeFactory(ModelFactory[SessionType]):
    class Meta:
        model = SessionType
        django_get_or_create = ("name",)

    name = "Individual"
    default_duration_minutes = 50
    default_rate = Decimal("150.00")


class ProgressAreaFactory(ModelFactory[ProgressArea]):
    class Meta:
        model = ProgressArea
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Area {n}")


class TagFactory(ModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class AppointmentFactory(ModelFactory[Appointment]):
    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    scheduled_start = factory.Sequence(lambda n: BASE_START + timedelta(hours=n))
    scheduled_end = factory.LazyAttribute(lambda o: o.scheduled_start + timedelta(minutes=50))


class SessionNoteFactory(ModelFactory[SessionNote]):
    class Meta:
        model = SessionNote

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    session_date = date(2030, 3, 1)
    content = "Discussed coping strategies."
    mood_rating = 6


class MoodEntryFactory(ModelFactory[MoodEntry]):
    class Meta:
        model = MoodEntry

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    entry_date = date(2030, 3, 1)
    mood_rating = 6


class ProgressEntryFactory(ModelFactory[ProgressEntry]):
    class Meta:
        model = ProgressEntry

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    entry_date = date(2030, 3, 1)
    score = 5


class FinancialRecordFactory(ModelFactory[FinancialRecord]):
    class Meta:
        model = FinancialRecord

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SelfAttribute("patient.therapist")
    record_date = date(2030, 3, 1)
    amount = Decimal("150.00")
    record_type = "session"
