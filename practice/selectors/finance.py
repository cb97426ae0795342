"""The Financial page: its period filter, its records table, its four cards, and the ageing of overdue bills."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Concat, Greatest, TruncMonth
from django.utils import timezone

from practice.models import FinancialRecord, PaymentStatus, Therapist
from practice.models.finance import ZERO
from practice.selectors.expressions import DaysBetween, overdue_q
from sanctuary.db import QueryTemplate

FINANCIAL_PERIODS = ("all", "week", "month", "quarter")
AGING_BUCKETS = ("0-30", "31-60", "61-90", "90+")


@dataclass(frozen=True)
class FinancialOverview:
    total: Decimal
    paid: Decimal
    pending: Decimal
    pending_count: int
    overdue: Decimal
    overdue_count: int

    @property
    def paid_percent(self) -> Decimal | None:
        """Share of revenue paid; ``None`` without records (the original showed NaN%)."""
        if not self.total:
            return None
        return (self.paid / self.total * 100).quantize(Decimal("0.1"))


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last_day in (day.day, 30, 29, 28):  # clamp 31 March minus a month to 28/29 February
        try:
            return day.replace(year=year, month=month, day=last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def financial_period_start(period: str, today: date | None = None) -> date | None:
    """The Financial page's period filter: all time (``None``), last week (7 days), last month, last quarter
    (3 months), relative to today on the record date."""
    today = today or timezone.localdate()
    if period == "week":
        return today - timedelta(days=7)
    if period == "month":
        return _months_before(today, 1)
    if period == "quarter":
        return _months_before(today, 3)
    return None


def financial_records(
    *,
    therapist: Therapist | UUID | None,
    since: date | None = None,
    status: str | None = None,
    today: date | None = None,
) -> QuerySet[FinancialRecord]:
    """The Financial page's table: a therapist's records (``None``: the whole practice's) from ``since``,
    optionally of one status, where "overdue" includes pending bills past their due date and "pending"
    excludes them (G5)."""
    today = today or timezone.localdate()
    records = FinancialRecord.objects.all()
    if therapist is not None:
        records = records.filter(therapist=therapist)
    if since is not None:
        records = records.filter(record_date__gte=since)
    overdue = overdue_q("", today)
    if status == PaymentStatus.OVERDUE:
        records = records.filter(overdue)
    elif status == PaymentStatus.PENDING:
        records = records.filter(Q(status=PaymentStatus.PENDING) & ~overdue)
    elif status:
        records = records.filter(status=status)
    return records


def _overview_build(*, scoped: bool, rule: str | None) -> Callable[..., QuerySet]:
    def build(
        today: date, therapist: UUID | None = None, since: date | None = None, status: str | None = None
    ) -> QuerySet:
        records = financial_records(therapist=therapist, since=since, status=status or rule, today=today)
        overdue = overdue_q("", today)
        pending = Q(status=PaymentStatus.PENDING) & ~overdue
        # One group: the therapist's records, or a constant for the practice's.
        grouped = (
            records.order_by().values("therapist")
            if scoped
            else records.order_by().annotate(practice=Value(1)).values("practice")
        )
        return grouped.annotate(
            total=Coalesce(Sum("amount"), ZERO),
            paid=Coalesce(Sum("amount", filter=Q(status=PaymentStatus.PAID)), ZERO),
            pending=Coalesce(Sum("amount", filter=pending), ZERO),
            pending_count=Count("pk", filter=pending),
            overdue=Coalesce(Sum("amount", filter=overdue), ZERO),
            overdue_count=Count("pk", filter=overdue),
        )

    return build


def _overview_slots(*, scoped: bool, with_since: bool) -> dict[str, type]:
    slots: dict[str, type] = {"today": date}
    if scoped:
        slots["therapist"] = UUID
    if with_since:
        slots["since"] = date
    return slots


# One compiled statement per filter shape: one therapist's or the practice's, with or without a start date,
# and then either a status *rule* (none, or overdue / pending: rules over two columns, part of the SQL) or a
# plain status, an equality with a slot of its own.
@functools.cache
def _overview_by_rule(*, with_since: bool, scoped: bool, rule: str | None) -> QueryTemplate:
    return QueryTemplate(
        _overview_build(scoped=scoped, rule=rule), slots=_overview_slots(scoped=scoped, with_since=with_since)
    )


@functools.cache
def _overview_by_status(*, with_since: bool, scoped: bool) -> QueryTemplate:
    return QueryTemplate(
        _overview_build(scoped=scoped, rule=None),
        slots={**_overview_slots(scoped=scoped, with_since=with_since), "status": str},
    )


def financial_overview(
    *,
    therapist: Therapist | None,
    since: date | None = None,
    status: str | None = None,
    today: date | None = None,
) -> FinancialOverview:
    """The Financial page's four cards over the filtered records (period from ``since``, optional status) of
    one therapist (``None``: the whole practice). One grouped row, or none (all zeros) when nothing matches."""
    values: dict[str, object] = {"today": today or timezone.localdate()}
    if therapist is not None:
        values["therapist"] = therapist.pk
    if since is not None:
        values["since"] = since
    shape = {"with_since": since is not None, "scoped": therapist is not None}
    if status and status not in (PaymentStatus.OVERDUE, PaymentStatus.PENDING):
        values["status"] = status
        template = _overview_by_status(**shape)
    else:
        template = _overview_by_rule(**shape, rule=str(status) if status else None)
    row = template.bind(**values).first()
    if row is None:
        none = Decimal("0.00")
        return FinancialOverview(total=none, paid=none, pending=none, pending_count=0, overdue=none, overdue_count=0)
    row.pop("therapist", None)
    row.pop("practice", None)
    return FinancialOverview(**row)


def revenue_by_month(
    *,
    therapist: Therapist | None,
    since: date | None = None,
    status: str | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """The Financial page's revenue trend: per month of record date, what was billed and what of it is paid,
    over the same filtered records as the cards. One query."""
    records = financial_records(therapist=therapist, since=since, status=status, today=today)
    return [
        dict(row)
        for row in records.order_by()
        .annotate(month=TruncMonth("record_date"))
        .values("month")
        .annotate(
            billed=Coalesce(Sum("amount"), ZERO),
            paid=Coalesce(Sum("amount", filter=Q(status=PaymentStatus.PAID)), ZERO),
        )
        .order_by("month")
    ]


def overdue_ageing(*, therapist: Therapist, today: date | None = None) -> QuerySet[FinancialRecord]:
    """G5: open bills past due, with ``days_overdue`` and ``aging_bucket`` (0-30/31-60/61-90/90+) and the
    amount the patient owes. A bill marked overdue without a due date is aged from its record date."""
    today = today or timezone.localdate()
    days = Greatest(DaysBetween(Value(today), Coalesce("due_date", "record_date")), Value(0))
    return (
        FinancialRecord.objects.filter(Q(therapist=therapist) & overdue_q("", today))
        .select_related("patient")
        .annotate(
            patient_name=Concat("patient__first_name", Value(" "), "patient__last_name", output_field=CharField()),
            days_overdue=days,
            aging_bucket=Case(
                When(Q(days_overdue__lte=30), then=Value(AGING_BUCKETS[0])),
                When(Q(days_overdue__lte=60), then=Value(AGING_BUCKETS[1])),
                When(Q(days_overdue__lte=90), then=Value(AGING_BUCKETS[2])),
                default=Value(AGING_BUCKETS[3]),
                output_field=CharField(),
            ),
        )
        .order_by("-days_overdue", "patient__last_name")
    )
