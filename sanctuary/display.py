"""How dates, times and money read to a person: in the practice's local time, in Australian English.

Used by model ``__str__`` methods (pickers, breadcrumbs, history), the workspace pages and e-mails, so
"Mon 7 Dec, 9:00 am" is written one way everywhere. The practice's zone is ``settings.TIME_ZONE`` (the
``SANCTUARY_TIME_ZONE`` setting); the year is shown only when it is not the current one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def clock_label(hour: int, minute: int) -> str:
    """``9:00 am`` / ``2:30 pm`` for a wall-clock time."""
    return f"{hour % 12 or 12}:{minute:02d} {'am' if hour < 12 else 'pm'}"


def time_label(moment: datetime) -> str:
    """``9:00 am`` / ``2:30 pm`` in local time."""
    moment = local(moment)
    return clock_label(moment.hour, moment.minute)


def date_label(day: date, *, today: date | None = None, weekday: bool = True) -> str:
    """``Mon 7 Dec`` (``Wed 25 Jun 2025`` in another year)."""
    today = today or timezone.localdate()
    text = f"{day:%a} {day.day} {day:%b}" if weekday else f"{day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def long_day_label(moment: datetime) -> str:
    """``Monday 7 December`` (``Monday 7 December 2027`` in another year), in local time."""
    day = local(moment).date()
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == timezone.localdate().year else f"{text} {day.year}"


def short_date_label(day: date) -> str:
    """``25 Jun 2025``: a table's date column."""
    return f"{day.day} {day:%b %Y}"


def starts_in_label(start: datetime, now: datetime | None = None) -> str:
    """``Starts in 02:05:09`` (``Starts in 3 d 02:05:09`` further ahead; the page's script keeps it ticking),
    then ``Session started``: the same wording as ``workspace.js``."""
    seconds = round((start - (now or timezone.now())).total_seconds())
    if seconds <= 0:
        return "Session started"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"Starts in {days} d {clock}" if days else f"Starts in {clock}"


def long_date_label(day: date) -> str:
    """``25 June 2025``, as the original app showed a patient's last session."""
    return f"{day.day} {day:%B %Y}"


def datetime_label(moment: datetime, *, today: date | None = None) -> str:
    """``Mon 7 Dec, 9:00 am`` in local time."""
    moment = local(moment)
    return f"{date_label(moment.date(), today=today)}, {time_label(moment)}"


def time_range_label(start: datetime, end: datetime) -> str:
    """``9:00 – 9:50 am`` (``11:30 am – 12:20 pm`` across noon)."""
    first, last = time_label(start), time_label(end)
    if first[-2:] == last[-2:]:
        first = first[:-3]
    return f"{first} – {last}"


# The symbol a person expects before an amount of the practice's currency (``PRACTICE_CURRENCY``).
CURRENCY_SYMBOLS = {"AUD": "$", "NZD": "$", "USD": "$", "CAD": "$", "GBP": "£", "EUR": "€"}


def currency_code() -> str:
    return str(getattr(settings, "PRACTICE_CURRENCY", "AUD"))


def money(amount: Decimal | int | float | None, *, symbol: str | None = None) -> str:
    """``$1,250.00`` in the practice's currency; a negative amount reads ``-$20.00``."""
    if symbol is None:
        symbol = CURRENCY_SYMBOLS.get(currency_code(), currency_code() + " ")
    value = Decimal(amount or 0).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"
