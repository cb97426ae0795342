"""Copy survey answers (profession, modalities, client types) onto therapist profiles.

Fills empty fields; never overwrites verified data (see services.relations.therapist_sync_from_survey).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from research.models import SurveyResponse
from research.services import therapist_sync_from_survey


class Command(BaseCommand):
    help = "Copy survey answers onto the linked therapist profiles without overwriting verified data."

    def handle(self, *args: Any, **options: Any) -> None:
        updated = 0
        responses = SurveyResponse.objects.filter(therapist__isnull=False).order_by("submitted_at")
        for response in responses.iterator():
            result = therapist_sync_from_survey(response=response)
            if result.changed:
                updated += 1
                self.stdout.write(f"therapist {result.therapist_id}: {', '.join(sorted(result.changed))}")
        self.stdout.write(f"{updated} therapist(s) updated from {responses.count()} linked response(s)")
