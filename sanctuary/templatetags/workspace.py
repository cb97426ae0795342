"""Template filters of the workspace pages: dates, times and money as ``sanctuary.display`` writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from sanctuary import display

register = template.Library()


@register.filter
def ws_time(value: datetime | None) -> str:
    return display.time_label(value) if value else "–"


@register.filter
def ws_date(value: date | datetime | None) -> str:
    if not value:
        return "–"
    if isinstance(value, datetime):
        value = display.local(value).date()
    return display.date_label(value)


@register.filter
def ws_long_date(value: date | None) -> str:
    return display.long_date_label(value) if value else "–"


@register.filter
def ws_long_day(value: datetime | None) -> str:
    return display.long_day_label(value) if value else "–"


@register.filter
def ws_short_date(value: date | None) -> str:
    return display.short_date_label(value) if value else "–"


@register.filter
def ws_starts_in(value: datetime | None) -> str:
    return display.starts_in_label(value) if value else ""


@register.filter
def ws_datetime(value: datetime | None) -> str:
    return display.datetime_label(value) if value else "–"


@register.filter
def ws_money(value: Decimal | int | None) -> str:
    return display.money(value)


@register.filter
def ws_abs(value: int) -> int:
    return abs(value)


@register.filter
def ws_age(value: date | None) -> str:
    """How long ago a day was: ``today``, ``yesterday``, ``3 days ago``."""
    if not value:
        return ""
    days = (timezone.localdate() - value).days
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


@register.filter
def status_badge(obj: Any) -> str:
    """A pill for anything with a ``status`` and its display label (appointments, bills)."""
    kind = str(obj.status).replace("_", "-")
    return format_html('<span class="sanctuary-badge sanctuary-badge--{}">{}</span>', kind, obj.get_status_display())
