"""Send the research follow-ups that are due (B.14). Dry run unless ``--send``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from research.selectors import followups_due
from research.services import followup_send


class Command(BaseCommand):
    help = "List (default) or send (--send) the research follow-ups due now; never to suppressed addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--send", action="store_true", help="Actually send (default: dry run).")
        parser.add_argument("--limit", type=int, default=500, help="At most this many e-mails per run.")
        parser.add_argument("--now", help="Evaluate the rules at this ISO time (testing and catch-up).")

    def handle(self, *args: Any, send: bool, limit: int, now: str | None, **options: Any) -> None:
        moment = parse_datetime(now) if now else timezone.now()
        if moment is None:
            self.stderr.write("--now must be an ISO date-time")
            raise SystemExit(2)
        due = followups_due(now=moment)[:limit]
        sent = skipped = failed = 0
        for item in due:
            if not send:
                self.stdout.write(f"would send step {item.step} to therapist {item.therapist_id}: {item.label}")
                continue
            email = followup_send(therapist_id=item.therapist_id, step=item.step, now=moment)
            if email is None:
                skipped += 1  # claimed by an overlapping run, or no longer due
            elif email.status == email.Status.FAILED:
                failed += 1
            else:
                sent += 1
                self.stdout.write(f"sent step {item.step} to therapist {item.therapist_id}")
        if send:
            self.stdout.write(f"due {len(due)}, sent {sent}, skipped {skipped}, failed {failed}")
        else:
            self.stdout.write(f"dry run: {len(due)} due; use --send to send")
