"""Relations after the fact: link rows that arrived without a therapist, and copy survey answers onto
the therapist profile. Both are idempotent and report what they did."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction

from practice.models import Therapist
from research.models import SurveyResponse
from research.models.options import ClientType, Modality, Profession

# (table, label) of the rows linked by e-mail when they have no therapist.
_LINKABLE = (
    ("research_surveyresponse", "survey responses"),
    ("research_feedback", "feedback"),
    ("research_expressionofinterest", "EOIs"),
)


@dataclass
class BackfillReport:
    linked: dict[str, int] = field(default_factory=dict)
    orphaned: dict[str, list[str]] = field(default_factory=dict)


def relations_backfill() -> BackfillReport:
    """Link surveys/feedback/EOIs to therapists by e-mail (trimmed, case-insensitive) where missing,
    then feedback to the survey response of the same browser session or therapist."""
    report = BackfillReport()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, label in _LINKABLE:
            # A survey response may only take a therapist who has none yet (one response per therapist).
            guard = (
                "AND NOT EXISTS (SELECT 1 FROM research_surveyresponse o WHERE o.therapist_id = t.id)"
                if table == "research_surveyresponse"
                else ""
            )
            cursor.execute(
                f"""UPDATE {table} AS r SET therapist_id = t.id, updated_at = now()
                      FROM practice_therapist t
                     WHERE r.therapist_id IS NULL AND r.email <> '' AND lower(t.email) = lower(btrim(r.email))
                       {guard}"""  # noqa: S608 - table names are the constants above
            )
            report.linked[label] = cursor.rowcount
        cursor.execute(
            """UPDATE research_feedback AS f SET survey_response_id = s.id, updated_at = now()
                 FROM research_surveyresponse s
                WHERE f.survey_response_id IS NULL
                  AND ((f.session_id <> '' AND s.session_id = f.session_id)
                       OR (f.therapist_id IS NOT NULL AND s.therapist_id = f.therapist_id))"""
        )
        report.linked["feedback → survey response"] = cursor.rowcount
        # Feedback from a linked survey's session belongs to that survey's therapist.
        cursor.execute(
            """UPDATE research_feedback AS f SET therapist_id = s.therapist_id, updated_at = now()
                 FROM research_surveyresponse s
                WHERE f.therapist_id IS NULL AND f.survey_response_id = s.id AND s.therapist_id IS NOT NULL"""
        )
        report.linked["feedback"] += cursor.rowcount
        for table, label in _LINKABLE:
            cursor.execute(f"SELECT id FROM {table} WHERE therapist_id IS NULL ORDER BY id")  # noqa: S608
            report.orphaned[label] = [str(row[0]) for row in cursor.fetchall()]
    return report


# Directory statuses whose data staff have checked: survey answers never overwrite them.
VERIFIED_STATUSES = (Therapist.DirectoryStatus.VERIFIED, Therapist.DirectoryStatus.PUBLISHED)


@dataclass
class SyncResult:
    therapist_id: uuid.UUID
    changed: dict[str, tuple[object, object]]


def therapist_sync_from_survey(*, response: SurveyResponse) -> SyncResult:
    """Copy profession, modalities and client types onto the therapist.

    Empty fields are filled. A non-empty field is only extended (lists gain missing values) — and only when
    the profile is not verified/published and the licence is not verified; verified data is never touched.
    """
    assert response.therapist_id is not None
    with transaction.atomic():
        therapist = Therapist.objects.select_for_update(no_key=True).get(pk=response.therapist_id)
        verified = therapist.directory_status in VERIFIED_STATUSES or therapist.license_verified
        changed: dict[str, tuple[object, object]] = {}
        if response.profession and not therapist.profession:
            profession = (
                response.profession_other
                if response.profession == Profession.OTHER and response.profession_other
                else Profession(response.profession).label
            )
            changed["profession"] = (therapist.profession, profession[:100])
        for attr, values, enum, other in (
            ("modalities", response.modalities, Modality, response.modalities_other),
            ("client_types", response.client_types, ClientType, response.client_types_other),
        ):
            labels = [enum(v).label for v in values if v != "other"] + ([other[:100]] if other else [])
            current = list(getattr(therapist, attr))
            if not current:
                merged = labels
            elif verified:
                continue
            else:
                merged = current + [label for label in labels if label not in current]
            if merged != current:
                changed[attr] = (current, merged)
        for attr, (_, new) in changed.items():
            setattr(therapist, attr, new)
        if changed:
            therapist.full_clean(validate_unique=False, validate_constraints=False)
            therapist.save(update_fields=[*changed, "updated_at"])
    return SyncResult(therapist.id, changed)
