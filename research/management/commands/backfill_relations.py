"""Link survey responses, feedback and EOIs that have no therapist yet, by e-mail. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from research.services import relations_backfill


class Command(BaseCommand):
    help = "Link surveys/feedback/EOIs to therapists by e-mail where missing; report what stays orphaned."

    def handle(self, *args: Any, **options: Any) -> None:
        report = relations_backfill()
        for label, count in report.linked.items():
            self.stdout.write(f"linked {count} {label}")
        for label, ids in report.orphaned.items():
            self.stdout.write(f"orphaned {len(ids)} {label}" + (f": {', '.join(ids)}" if ids else ""))
