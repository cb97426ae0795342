"""``create_profile_from_eoi <eoi-id> --by <username> [--yes]``: the B.16 script, through the review service.

Shows the mapping preview, asks for confirmation on stdin unless ``--yes`` (no stdin and no ``--yes``:
refuses), then converts (create or merge). Bad id, unknown user or wrong state: a clear message and a
non-zero exit.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from research.models import ExpressionOfInterest, ReviewSource
from research.selectors import eoi_conversion_preview
from research.services import eoi_convert_to_profile


class Command(BaseCommand):
    # Tests hand in their own stdin: call_command(..., stdin=io.StringIO("y\n")).
    stealth_options = ("stdin",)
    help = "Create (or merge into) a therapist profile from a therapist EOI, after showing the field mapping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("eoi_id", help="UUID of the expression of interest")
        parser.add_argument("--by", required=True, help="username of the reviewing staff member (audited)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"No user named {options['by']!r}.")
        try:
            eoi = ExpressionOfInterest.objects.get(pk=options["eoi_id"])
        except (ExpressionOfInterest.DoesNotExist, ValidationError) as exc:
            raise CommandError(f"No expression of interest with id {options['eoi_id']!r}.") from exc

        existing, plan = eoi_conversion_preview(eoi=eoi)
        self.stdout.write(f"{eoi} — status {eoi.get_profile_status_display()}")
        self.stdout.write(
            f"Merge into existing profile {existing} ({existing.pk})"
            if existing
            else "No therapist with this e-mail: a new profile will be created."
        )
        for field in plan:
            self.stdout.write(
                f"  {field.eoi_field:<18} → {field.therapist_field:<16} "
                f"{field.current!r:>24} ⇒ {field.proposed!r}  [{field.change}]"
            )

        if not options["yes"] and not self._confirmed(options.get("stdin", sys.stdin)):
            raise CommandError("Not confirmed: nothing was changed (use --yes to skip the question).")
        try:
            result = eoi_convert_to_profile(eoi_id=eoi.pk, actor=user, source=ReviewSource.COMMAND)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created profile" if result.created else "Merged into profile"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.therapist} ({result.therapist.pk}); "
                f"fields written: {', '.join(result.changed_fields) or 'none'}.",
            )
        )

    def _confirmed(self, stream: TextIO | None) -> bool:
        """Only an explicit yes counts; a closed or empty stdin (cron, CI) is a no."""
        if stream is None or stream.closed:
            return False
        self.stdout.write("Convert this EOI? [y/N] ", ending="")
        self.stdout.flush()
        try:
            answer = stream.readline()
        except (OSError, ValueError):
            return False
        return answer.strip().lower() in {"y", "yes"}
