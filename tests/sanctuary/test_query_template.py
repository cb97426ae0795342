"""sanctuary.db.QueryTemplate: a values() queryset compiled once, run with new values in its slots."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, QuerySet
from django.test.utils import CaptureQueriesContext

from practice.models import Appointment, Patient, Therapist
from sanctuary.db import QueryTemplate
from tests.practice.factories import AppointmentFactory, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 3, 1, 9, tzinfo=UTC)


def _appointments(therapist: UUID, since: datetime) -> QuerySet:
    return (
        Appointment.objects.filter(therapist=therapist, scheduled_start__gte=since)
        .values("id", "scheduled_start", patient_last_name=F("patient__last_name"))
        .order_by("scheduled_start", "id")
    )


def _calendar(count: int = 5) -> tuple[Therapist, Therapist]:
    mine, other = TherapistFactory(), TherapistFactory()
    for therapist in (mine, other):
        patient = PatientFactory(therapist=therapist)
        for hour in range(count):
            start = T0 + timedelta(hours=hour)
            AppointmentFactory(patient=patient, scheduled_start=start, scheduled_end=start + timedelta(minutes=50))
    return mine, other


def test_rows_equal_the_querysets_own_values_for_every_binding() -> None:
    mine, other = _calendar()
    template = QueryTemplate(_appointments, slots={"therapist": UUID, "since": datetime})
    for therapist, since in [(mine, T0), (mine, T0 + timedelta(hours=3)), (other, T0), (mine, T0 + timedelta(days=9))]:
        expected = list(_appointments(therapist.pk, since))
        assert list(template.bind(therapist=therapist.pk, since=since)) == expected
        assert template.bind(therapist=therapist.pk, since=since).count() == len(expected)


def test_the_queryset_is_built_and_compiled_once_and_each_call_is_one_statement() -> None:
    mine, _ = _calendar()
    calls = []

    def build(therapist: UUID, since: datetime) -> QuerySet:
        calls.append(therapist)
        return _appointments(therapist, since)

    template = QueryTemplate(build, slots={"therapist": UUID, "since": datetime})
    for hour in range(4):
        with CaptureQueriesContext(connection) as queries:
            template.bind(therapist=mine.pk, since=T0 + timedelta(hours=hour))[:2]
        assert len(queries) == 1
    assert len(calls) == 1 and calls[0] != mine.pk  # built once, with a sentinel


def test_slices_page_it_and_djangos_paginator_takes_it_like_a_queryset() -> None:
    mine, _ = _calendar(count=7)
    bound = QueryTemplate(_appointments, slots={"therapist": UUID, "since": datetime}).bind(
        therapist=mine.pk,
        since=T0,
    )
    every = list(_appointments(mine.pk, T0))
    assert bound[2:5] == every[2:5]
    assert bound[5:] == every[5:]
    assert bound[3] == every[3] and bound.first() == every[0]
    with pytest.raises(IndexError):
        bound[7]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no UnorderedObjectListWarning
        # A BoundQuery pages like a queryset (count() and slices) but has no __len__, which the stubs ask for.
        paginator: Paginator[Any] = Paginator(cast(Any, bound), 3)
        assert paginator.count == 7 and paginator.num_pages == 3
        assert list(paginator.page(3)) == every[6:]


def test_the_count_takes_only_the_slots_its_count_slots_name() -> None:
    mine, _ = _calendar()
    template = QueryTemplate(
        _appointments,
        slots={"therapist": UUID, "since": datetime},
        count_build=lambda therapist: Patient.objects.filter(therapist=therapist).values("id"),
        count_slots=("therapist",),
    )
    assert template.bind(therapist=mine.pk, since=T0).count() == 1


def test_a_count_build_must_name_its_slots_and_only_existing_ones() -> None:
    count = lambda therapist: Patient.objects.filter(therapist=therapist).values("id")  # noqa: E731
    with pytest.raises(TypeError, match="needs its count_slots"):
        QueryTemplate(_appointments, slots={"therapist": UUID, "since": datetime}, count_build=count)
    with pytest.raises(TypeError, match="count_slots names no slot: patient"):
        QueryTemplate(
            _appointments, slots={"therapist": UUID, "since": datetime}, count_build=count, count_slots=("patient",)
        )


def test_a_slot_django_rewrites_is_refused_when_compiled() -> None:
    template = QueryTemplate(
        lambda name: Patient.objects.filter(last_name__icontains=name).values("id"),
        slots={"name": str},
    )
    with pytest.raises(ValueError, match="slots not found among the compiled parameters: name"):
        list(template.bind(name="x"))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda therapist: Patient.objects.filter(therapist=therapist), "must be a values"),
        (lambda therapist: Patient.objects.filter(therapist=therapist).values("id")[:5], "must not be sliced"),
    ],
)
def test_only_unsliced_values_querysets_make_templates(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        list(QueryTemplate(build, slots={"therapist": UUID}).bind(therapist=uuid4()))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"therapist": "not-a-uuid", "since": T0}, "therapist must be a UUID"),
        ({"therapist": uuid4(), "since": datetime(2031, 1, 1)}, "since must be an aware datetime"),
        ({"therapist": uuid4()}, "no value for since"),
        ({"therapist": uuid4(), "since": T0, "until": T0}, "no slot named until"),
    ],
)
def test_values_of_the_wrong_type_are_refused_before_any_query(values: dict, message: str) -> None:
    template = QueryTemplate(_appointments, slots={"therapist": UUID, "since": datetime})
    with pytest.raises(TypeError, match=message):
        template.bind(**values)


def test_a_date_slot_refuses_a_datetime_and_unsupported_slot_types_are_refused() -> None:
    template = QueryTemplate(lambda day: Patient.objects.filter(date_of_birth=day).values("id"), slots={"day": date})
    with pytest.raises(TypeError, match="day must be a date"):
        template.bind(day=T0)
    with pytest.raises(TypeError, match="unsupported types: flag"):
        QueryTemplate(lambda flag: Patient.objects.values("id"), slots={"flag": bool})


def test_a_row_serializer_renders_exactly_what_drfs_serializer_renders() -> None:
    from decimal import Decimal

    from rest_framework import serializers

    from sanctuary.api.serializers import RowSerializer

    class Plain(serializers.Serializer):
        id = serializers.UUIDField()
        name = serializers.CharField()
        at = serializers.DateTimeField(allow_null=True)
        day = serializers.DateField(allow_null=True)
        amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        n = serializers.IntegerField()

    class Row(RowSerializer, Plain):
        pass

    rows = [
        {
            "id": uuid4(),
            "name": "Ada",
            "at": T0,
            "day": date(2031, 1, 2),
            "amount": Decimal("1.5"),
            "n": 3,
            "extra": "ignored",
        },
        {"id": uuid4(), "name": "", "at": None, "day": None, "amount": Decimal("0"), "n": 0, "extra": None},
    ]
    assert Row(rows, many=True).data == Plain(rows, many=True).data

    class Sourced(RowSerializer):
        name = serializers.CharField(source="patient.name")

    with pytest.raises(TypeError, match="take no source"):
        Sourced(rows[0]).data  # noqa: B018
