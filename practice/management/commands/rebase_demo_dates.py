"""``manage.py rebase_demo_dates``: move the demo practice's dates so its appointments are upcoming."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from practice.demo import rebase_demo_dates


class Command(BaseCommand):
    help = "Shift the demo practice's dates by whole weeks so that its appointments are upcoming."

    def handle(self, *args: Any, **options: Any) -> None:
        days = rebase_demo_dates()
        if days:
            self.stdout.write(f"demo dates shifted by {days} days")
        else:
            self.stdout.write("demo dates already current (or no demo practice loaded)")
