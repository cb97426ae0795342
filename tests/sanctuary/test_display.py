"""How dates, times and money read to a person (sanctuary.display), in the practice's zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sanctuary import display

MELBOURNE = ZoneInfo("Australia/Melbourne")


def test_times_read_on_the_practice_wall_clock_across_daylight_saving() -> None:
    winter = datetime(2026, 6, 1, 9, 0, tzinfo=MELBOURNE)  # AEST, +10
    summer = datetime(2026, 12, 7, 9, 0, tzinfo=MELBOURNE)  # AEDT, +11
    assert display.time_label(winter.astimezone(ZoneInfo("UTC"))) == "9:00 am"
    assert display.time_label(summer.astimezone(ZoneInfo("UTC"))) == "9:00 am"
    assert (
        display.time_range_label(
            datetime(2026, 12, 7, 11, 30, tzinfo=MELBOURNE), datetime(2026, 12, 7, 12, 20, tzinfo=MELBOURNE)
        )
        == "11:30 am – 12:20 pm"
    )
    assert display.time_range_label(winter, winter + timedelta(minutes=50)) == "9:00 – 9:50 am"


def test_dates_show_the_year_only_when_it_is_not_this_one() -> None:
    this_year = timezone.localdate().year
    assert display.date_label(date(this_year, 3, 2)) == f"{date(this_year, 3, 2):%a} 2 Mar"
    assert display.date_label(date(2025, 6, 25)) == "Wed 25 Jun 2025"
    assert display.long_date_label(date(2025, 6, 25)) == "25 June 2025"
    assert display.short_date_label(date(2025, 6, 25)) == "25 Jun 2025"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("850"), "$850.00"),
        (Decimal("1250.5"), "$1,250.50"),
        (None, "$0.00"),
        (Decimal("-20"), "-$20.00"),
    ],
)
def test_money_reads_in_the_practice_currency(amount: Decimal | None, text: str) -> None:
    assert display.money(amount) == text


def test_money_in_another_currency_uses_its_symbol(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRACTICE_CURRENCY = "GBP"
    assert display.money(Decimal("5")) == "£5.00"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-1, "Session started"),
        (0, "Session started"),
        (59, "Starts in 00:00:59"),
        (3 * 3600 + 65, "Starts in 03:01:05"),
        (2 * 86400 + 3600, "Starts in 2 d 01:00:00"),
    ],
)
def test_the_countdown_wording(seconds: int, text: str) -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=MELBOURNE)
    assert display.starts_in_label(now + timedelta(seconds=seconds), now) == text
