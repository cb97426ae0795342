"""Query-string filters of the therapist lists. Only ids, dates and statuses – never names or e-mails
(searching by name is ``POST patients/search/``). An invalid value is a 400 with field errors."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from practice.models import (
    Appointment,
    AppointmentStatus,
    FinancialRecord,
    MoodEntry,
    Patient,
    PatientStatus,
    ProgressEntry,
    SessionNote,
)
from sanctuary.api import plumbing

# Every stored appointment falls between these; a bound outside them is the same as no bound (and time-zone
# arithmetic on the far ends of the calendar would overflow).
EARLIEST, LATEST = plumbing.EARLIEST_DATE, plumbing.LATEST_DATE


def _local_midnight(day: date, *, days_later: int = 0) -> datetime:
    day = min(max(day, EARLIEST), LATEST)
    return timezone.make_aware(datetime.combine(day + timedelta(days=days_later), time.min))


class PatientFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PatientStatus.choices)
    archived = django_filters.BooleanFilter(
        field_name="archived_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: only archived patients.",
    )

    class Meta:
        model = Patient
        fields = ["status", "archived"]


class AppointmentFilter(django_filters.FilterSet):
    """``since``/``until`` are calendar days (inclusive) in the practice's time zone, on the scheduled start."""

    patient = django_filters.UUIDFilter(field_name="patient_id")
    status = django_filters.ChoiceFilter(choices=AppointmentStatus.choices)
    since = django_filters.DateFilter(method="filter_since", help_text="First day (inclusive).")
    until = django_filters.DateFilter(method="filter_until", help_text="Last day (inclusive).")

    class Meta:
        model = Appointment
        fields = ["patient", "status", "since", "until"]

    def filter_since(self, queryset: QuerySet[Appointment], name: str, value: date) -> QuerySet[Appointment]:
        return queryset.filter(scheduled_start__gte=_local_midnight(value))

    def filter_until(self, queryset: QuerySet[Appointment], name: str, value: date) -> QuerySet[Appointment]:
        return queryset.filter(scheduled_start__lt=_local_midnight(value, days_later=1))


class SessionNoteFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient_id")
    signed = django_filters.BooleanFilter(field_name="signed_at", lookup_expr="isnull", exclude=True)
    is_template = django_filters.BooleanFilter()
    since = django_filters.DateFilter(field_name="session_date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="session_date", lookup_expr="lte")

    class Meta:
        model = SessionNote
        fields = ["patient", "signed", "is_template", "since", "until"]


class _EntryFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient_id")
    since = django_filters.DateFilter(field_name="entry_date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="entry_date", lookup_expr="lte")


class MoodEntryFilter(_EntryFilter):
    class Meta:
        model = MoodEntry
        fields = ["patient", "since", "until"]


class ProgressEntryFilter(_EntryFilter):
    class Meta:
        model = ProgressEntry
        fields = ["patient", "since", "until"]


class FinancialRecordFilter(django_filters.FilterSet):
    """Period and status work as in ``FinancialFilterSerializer``; they are applied by the selector, here
    only the patient id."""

    patient = django_filters.UUIDFilter(field_name="patient_id")

    class Meta:
        model = FinancialRecord
        fields = ["patient"]
