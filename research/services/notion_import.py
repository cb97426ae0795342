"""Import of the original Notion CSV exports (VIC directory, research responses, feedback, EOIs).

Column names are those of seed facts B.4–B.7. Idempotent: directory therapists and survey responses are
deduplicated by e-mail (trimmed, case-insensitive), EOIs by (e-mail, audience), feedback by a hash of the
row; a second run merges into the same rows and creates nothing. Pricing found in ``29. Notes`` or
``Pricing`` moves into the two decimal fields and is stripped from the notes (B.17). Option spellings are
normalised (hyphen/en dash, comma fragments, ``&amp;``) through ``canonical_option``.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from practice.models import Therapist
from research.models import (
    EOIAudience,
    ExpressionOfInterest,
    Feedback,
    FunnelStage,
    ProfileStatus,
    Suppression,
    SuppressionReason,
    SurveyResponse,
    TherapistResearchState,
)
from research.models import options as opt
from research.models.eoi import EOI_AUDIENCE_ALIASES
from research.services.intake import audience_for_section

FILES = {
    "vic": "vic_therapists.csv",
    "research": "research_responses.csv",
    "feedback": "feedback.csv",
    "eoi": "eoi_submissions.csv",
}

_PRICE_FEE = re.compile(r"Fee per match \(AUD\):\s*\$?\s*([0-9][0-9,]*(?:\.[0-9]{1,2})?)", re.IGNORECASE)
_PRICE_SUB = re.compile(r"Monthly subscription \(AUD\):\s*\$?\s*([0-9][0-9,]*(?:\.[0-9]{1,2})?)", re.IGNORECASE)
_PRICE_SEGMENT = re.compile(
    r"(?:Fee per match \(AUD\):\s*\$?\s*[0-9.,]*|Monthly subscription \(AUD\):\s*\$?\s*[0-9.,]*)(?:\s*\|\s*)?",
    re.IGNORECASE,
)


@dataclass
class TableReport:
    imported: int = 0
    merged: int = 0
    rejected: list[str] = field(default_factory=list)  # "row N: reason" (no personal data)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    tables: dict[str, TableReport] = field(default_factory=lambda: defaultdict(TableReport))

    def lines(self) -> list[str]:
        out = []
        for name, table in self.tables.items():
            out.append(f"{name}: imported {table.imported}, merged {table.merged}, rejected {len(table.rejected)}")
            out += [f"  rejected {reason}" for reason in table.rejected]
            out += [f"  note {note}" for note in table.notes]
        return out


# ------------------------------------------------------------------------------------------- helpers
def _cell(row: dict[str, str], name: str) -> str:
    return html.unescape((row.get(name) or "").strip())


def _email(raw: str) -> str | None:
    address = (raw or "").strip().lower()
    if address.startswith("mailto:"):
        address = address[7:]
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _when(raw: str) -> datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    parsed = parse_datetime(raw.replace(" ", "T", 1))
    if parsed is None:
        for fmt in ("%B %d, %Y %I:%M %p", "%B %d, %Y", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                parsed = datetime.strptime(raw, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if parsed is None:
        day = parse_date(raw)
        parsed = datetime(day.year, day.month, day.day) if day else None  # noqa: DTZ001 - made aware below
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _money(pattern: re.Pattern[str], *texts: str) -> Decimal | None:
    for text in texts:
        match = pattern.search(text or "")
        if match:
            try:
                return Decimal(match.group(1).replace(",", "")).quantize(Decimal("0.01"))
            except InvalidOperation:
                return None
    return None


def strip_pricing(text: str) -> str:
    """Remove the "Fee per match (AUD): $n | Monthly subscription (AUD): $n" summary from free text."""
    cleaned = _PRICE_SEGMENT.sub("", text or "")
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip(" \n|")


def _single(choices: type, raw: str, problems: list[str], column: str) -> str:
    if not raw:
        return ""
    value = opt.canonical_option(choices, raw)
    if value is None:
        problems.append(f"{column}: unknown option")
        return ""
    return value


def _multi(choices: type, raw: str) -> tuple[list[str], list[str]]:
    """(canonical values, unknown spellings) of a multi-select cell."""
    values: list[str] = []
    unknown: list[str] = []
    for part in opt.split_multi_select(raw):
        value = opt.canonical_option(choices, part)
        if value is None:
            unknown.append(part)
        elif value not in values:
            values.append(value)
    return values, unknown


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _therapist_by_email(email: str | None) -> Therapist | None:
    if not email:
        return None
    return Therapist.objects.alias(e=Lower("email")).filter(e=email).first()


# -------------------------------------------------------------------------------------------- VIC DB
_STATUS_STAGE = [
    (re.compile(r"^(not contacted|not invited)$"), FunnelStage.NOT_INVITED),
    (re.compile(r"^invited$"), FunnelStage.INVITED),
    (re.compile(r"^opened"), FunnelStage.OPENED),
    (re.compile(r"^(clicked|survey started|sandbox visited|feedback submitted)"), FunnelStage.CLICKED),
    (re.compile(r"^(completed|completed survey|survey completed)$"), FunnelStage.SURVEY_COMPLETED),
]


def research_status_stage(raw: str) -> int:
    """Map the mixed ``Research Status`` select (B.15) onto the funnel; Unsubscribed is a flag, not a stage."""
    key = (raw or "").strip().lower()
    for pattern, stage in _STATUS_STAGE:
        if pattern.search(key):
            return stage
    return FunnelStage.NOT_INVITED


def _yes(raw: str) -> bool:
    return (raw or "").strip().lower() in ("yes", "true", "1", "checked", "✓")


def _import_vic(rows: list[dict[str, str]], report: TableReport) -> None:
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        email = _email(_cell(row, "Email Address"))
        if email is None:
            report.rejected.append(f"row {number}: no valid e-mail address")
            continue
        first = _cell(row, "First Name")
        last = _cell(row, "Last Name") or _cell(row, "Surname")
        full = _cell(row, "Fullname")
        if full and not last and " " in first:  # 95 rows had the whole name in First Name (B.18 #9)
            first, _, last = first.partition(" ")
        values = {
            "first_name": first[:100] or full.split(" ")[0][:100],
            "last_name": last[:100],
            "organisation": _cell(row, "Business Name")[:200],
            "profession": (_cell(row, "Primary Profession") or _cell(row, "Profession/Key Qualification/s"))[:100],
            "region": _cell(row, "Region")[:100],
            "state": _cell(row, "State")[:10],
            "postcode": _cell(row, "Postcode")[:10],
            "phone": _cell(row, "Phone")[:32],
            "suburb": _cell(row, "Suburb/s of practice (if online only, write ONLINE)")[:100],
        }
        therapist = _therapist_by_email(email)
        if therapist is None:
            therapist = Therapist(email=email, profile_source=Therapist.ProfileSource.VIC_IMPORT, **values)
            therapist.full_clean(validate_unique=False, validate_constraints=False)
            therapist.save()
            report.imported += 1
        else:
            changed = [name for name, value in values.items() if value and not getattr(therapist, name)]
            for name in changed:
                setattr(therapist, name, values[name])
            if changed:
                therapist.save(update_fields=[*changed, "updated_at"])
            report.merged += 1
        if email in seen:
            report.notes.append(f"row {number}: duplicate e-mail merged into the earlier row")
        seen.add(email)
        _import_research_state(therapist, row)


def _import_research_state(therapist: Therapist, row: dict[str, str]) -> None:
    stage = research_status_stage(_cell(row, "Research Status"))
    invited_at = _when(_cell(row, "Research Invite Sent Date"))
    if _yes(_cell(row, "Research Invite Sent")) or invited_at:
        stage = max(stage, FunnelStage.INVITED)
    if _yes(_cell(row, "Research Email Opened")):
        stage = max(stage, FunnelStage.OPENED)
    if _yes(_cell(row, "Research Survey Clicked")):
        stage = max(stage, FunnelStage.CLICKED)
    if _yes(_cell(row, "Research Survey Completed")):
        stage = max(stage, FunnelStage.SURVEY_COMPLETED)
    unsubscribed = _cell(row, "Research Status").lower() == "unsubscribed"
    if stage == FunnelStage.NOT_INVITED and not unsubscribed:
        return
    variant = _cell(row, "Research Variant")
    state, _ = TherapistResearchState.objects.select_for_update().get_or_create(therapist=therapist)
    # Monotonic merge: re-importing (or importing an older export) never lowers anything.
    state.stage = max(state.stage, stage)
    state.invited_at = min(filter(None, [state.invited_at, invited_at or therapist.created_at]))
    state.variant = state.variant or (variant if variant in ("A", "B") else "")
    state.experiment_id = state.experiment_id or _cell(row, "Research Experiment ID")[:100]
    counters = (
        ("opens_count", "Research Email Opens Count"),
        ("clicks_count", "Research Survey Clicks Count"),
        ("followup_count", "Research Follow-up Count"),
    )
    for attr, column in counters:
        try:
            setattr(state, attr, max(getattr(state, attr), int(float(_cell(row, column) or 0))))
        except ValueError:
            pass
    if unsubscribed and state.unsubscribed_at is None:
        state.unsubscribed_at = timezone.now()
    state.save()
    if unsubscribed:
        if not Suppression.objects.alias(e=Lower("email")).filter(e=therapist.email.lower()).exists():
            Suppression.objects.create(
                email=therapist.email.lower(), reason=SuppressionReason.UNSUBSCRIBED, note="Notion import"
            )


# --------------------------------------------------------------------------------------- research DB
_SURVEY_MULTI = {
    "client_types": ("5. Client Types", "6. Client Types Other", opt.ClientType),
    "modalities": ("7. Modalities", "8. Modalities Other", opt.Modality),
    "clients_find_you": ("9. How Clients Find You", "10. How Clients Find You Other", opt.ClientSource),
    "match_factors": ("11. Great Match Factors", "12. Great Match Other", opt.MatchFactor),
    "questions_matter": ("16. Which Questions Matter", "17. Which Questions Matter Other", opt.MatchingQuestion),
    "too_personal": ("19. Too Personal", "20. Too Personal Other", opt.TooPersonal),
}
_SURVEY_SINGLE = {
    "profession": ("2. Profession", opt.Profession),
    "years_practice": ("4. Years in Practice", opt.YearsInPractice),
    "screens_clients": ("14. Screening Clients", opt.YesNo),
    "open_to_sharing": ("15. Open to Sharing", opt.YesMaybeNo),
    "personality_test": ("18. Personality Test", opt.YesMaybeNo),
    "onboarding_time": ("22. Onboarding Time", opt.OnboardingTime),
    "trust_ai_matching": ("23. Trust AI Matching", opt.TrustAIMatching),
    "free_listing_interest": ("24. Free Listing Interest", opt.YesMaybeLaterNo),
    "future_contact": ("25. Future Contact", opt.YesNo),
    "processing_status": ("28. Processing Status", opt.ProcessingStatus),
}


def _survey_values(row: dict[str, str], problems: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, (column, choices) in _SURVEY_SINGLE.items():
        values[name] = _single(choices, _cell(row, column), problems, column)
    values["processing_status"] = values["processing_status"] or opt.ProcessingStatus.NEW
    for name, (column, other_column, choices) in _SURVEY_MULTI.items():
        chosen, unknown = _multi(choices, _cell(row, column))
        other = _cell(row, other_column)
        if unknown:  # keep unrecognised answers as the "Other" text rather than losing them
            chosen = [*chosen, "other"] if "other" not in chosen else chosen
            other = "; ".join(filter(None, [other, *unknown]))
        values[name] = chosen
        values[f"{name}_other"] = other[:200]
    values["profession_other"] = _cell(row, "3. Profession Other")[:200]
    values["biggest_gap"] = _cell(row, "13. Biggest Gap")
    values["comments"] = strip_pricing(_cell(row, "26. Comments"))
    level = re.match(r"\s*(\d+)", _cell(row, "21. Profile Detail Level"))
    values["profile_detail_level"] = int(level.group(1)) if level and 1 <= int(level.group(1)) <= 10 else None
    notes, pricing = _cell(row, "29. Notes"), _cell(row, "Pricing")
    values["fee_per_match"] = _money(_PRICE_FEE, pricing, notes)
    values["monthly_subscription"] = _money(_PRICE_SUB, pricing, notes)
    values["notes"] = strip_pricing(notes)
    return values


def _import_research(rows: list[dict[str, str]], report: TableReport) -> None:
    groups: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for number, row in enumerate(rows, start=2):
        email = _email(_cell(row, "1. Email"))
        key = email or "row:" + hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()[:32]
        groups[key].append((number, row))
    for key, members in groups.items():
        # Several pages per person (reusable tokens): the latest submission wins, the rest are merged.
        members.sort(key=lambda item: _when(_cell(item[1], "Submitted")) or timezone.now())
        number, row = members[-1]
        problems: list[str] = []
        values = _survey_values(row, problems)
        if problems:
            report.rejected.append(f"row {number}: {'; '.join(problems)}")
            continue
        email = None if key.startswith("row:") else key
        therapist = _therapist_by_email(email)
        submitted = _when(_cell(row, "Submitted")) or timezone.now()
        existing = None
        if therapist is not None:
            existing = SurveyResponse.objects.filter(therapist=therapist).first()
        if existing is None and email:
            existing = SurveyResponse.objects.alias(e=Lower("email")).filter(e=email).first()
        if existing is None and not email:
            existing = SurveyResponse.objects.filter(import_key=f"notion:{key[4:]}").first()
        response = existing or SurveyResponse(import_key="" if email else f"notion:{key[4:]}")
        for name, value in values.items():
            setattr(response, name, value)
        response.email = email or ""
        response.therapist = response.therapist or therapist
        response.submitted_at = submitted
        response.consented_at = submitted
        response.consent_version = response.consent_version or "notion-import"
        response.full_clean(validate_unique=False, validate_constraints=False)
        response.save()
        if existing is None:
            report.imported += 1
            report.merged += len(members) - 1
        else:
            report.merged += len(members)


# --------------------------------------------------------------------------------------- feedback DB
_FEEDBACK_LINE = re.compile(r"^(Rating|Comment|Tags|Page URL|Page Title|Tracking ID|Session ID):\s*(.*)$")


def _parse_feedback_text(text: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for line in text.splitlines():
        match = _FEEDBACK_LINE.match(line.strip())
        if match:
            parsed[match.group(1)] = match.group(2).strip()
        elif line.startswith("Feedback Location:"):
            section = re.search(r"Section:\s*([a-z]+)", line)
            if section:
                parsed["Section"] = section.group(1)
    return parsed


def rescale_legacy_rating(six: int) -> int:
    """1–6 stars onto 1–5 (1→1, 2→2, 3→3, 4→3, 5→4, 6→5): ends map to ends, order is kept."""
    return round(1 + (six - 1) * 4 / 5)


def _import_feedback(rows: list[dict[str, str]], report: TableReport) -> None:
    for number, row in enumerate(rows, start=2):
        text = _cell(row, "Feedback")
        parsed = _parse_feedback_text(text)
        try:
            six = int(float(_cell(row, "Rating") or parsed.get("Rating", "").split("/")[0]))
        except ValueError:
            report.rejected.append(f"row {number}: no rating")
            continue
        if not 1 <= six <= 6:
            report.rejected.append(f"row {number}: rating outside 1–6")
            continue
        key = "notion:" + hashlib.sha256(f"{_cell(row, 'Submission Date')}|{text}".encode()).hexdigest()[:32]
        if Feedback.objects.filter(import_key=key).exists():
            report.merged += 1
            continue
        section = opt.canonical_option(opt.PageSection, parsed.get("Section", "")) or opt.PageSection.OTHER
        audience = opt.canonical_option(opt.FeedbackAudience, _cell(row, "Audience Type"))
        if section != opt.PageSection.OTHER or audience is None:
            audience = audience_for_section(section)  # the original labelled homepage feedback "Sandbox"
        tags, _ = _multi(opt.FeedbackTag, parsed.get("Tags", ""))
        email = _email(_cell(row, "Email"))
        therapist = _therapist_by_email(email)
        session_id = parsed.get("Session ID", "")[:100]
        survey = SurveyResponse.objects.filter(session_id=session_id).first() if session_id else None
        if survey is None and therapist is not None:
            survey = SurveyResponse.objects.filter(therapist=therapist).first()
        url = parsed.get("Page URL", "")
        feedback = Feedback(
            rating=rescale_legacy_rating(six),
            legacy_rating_6=six,
            comment=parsed.get("Comment", ""),
            tags=tags,
            page_url=url[:500] if url.startswith("http") else "",
            page_title=parsed.get("Page Title", "")[:200],
            section=section,
            audience=audience,
            tracking_id=parsed.get("Tracking ID", "")[:100],
            session_id=session_id,
            email=email or "",
            therapist=therapist,
            survey_response=survey,
            submitted_at=_when(_cell(row, "Submission Date")) or timezone.now(),
            import_key=key,
        )
        feedback.full_clean(validate_unique=False, validate_constraints=False)
        feedback.save()
        report.imported += 1


# -------------------------------------------------------------------------------------------- EOI DB
_EOI_STATUS = {
    "pending": ProfileStatus.PENDING,
    "in progress": ProfileStatus.IN_PROGRESS,
    "created": ProfileStatus.CREATED,
    "rejected": ProfileStatus.REJECTED,
    "not applicable": ProfileStatus.NOT_APPLICABLE,
}
_PLACEHOLDER_NAMES = {
    "individual submission",
    "therapist application",
    "organisation partnership",
    "supporter",
    "form submission",
}


def _import_eoi(rows: list[dict[str, str]], report: TableReport) -> None:
    for number, row in enumerate(rows, start=2):
        email = _email(_cell(row, "Email"))
        raw_audience = _cell(row, "Audience Type").lower()
        audience = EOI_AUDIENCE_ALIASES.get(raw_audience) or opt.canonical_option(EOIAudience, raw_audience)
        if email is None or audience is None:
            report.rejected.append(f"row {number}: {'no valid e-mail' if email is None else 'unknown audience'}")
            continue
        name = _cell(row, "Name")
        name = "" if name.lower() in _PLACEHOLDER_NAMES else name
        interests, _ = _multi(opt.TherapyInterest, _cell(row, "Therapy Interests"))
        preferences, _ = _multi(opt.EmailPreference, _cell(row, "Email Preferences"))
        submitted = _when(_cell(row, "Submission Date")) or timezone.now()
        values: dict[str, Any] = {
            "email_preferences": preferences,
            "therapy_interests": interests,
            "additional_thoughts": _cell(row, "Additional Thoughts"),
            "professional_title": _cell(row, "Professional Title")[:200],
            "organisation": _cell(row, "Organisation")[:200],
            "specialisations": _cell(row, "Specialisations"),
            "contact_name": _cell(row, "Contact Name")[:200],
            "position": _cell(row, "Position")[:200],
            "organisation_name": (
                _cell(row, "Organisation Name") or (name if audience == EOIAudience.ORGANISATION else "")
            )[:200],
            "partnership_interest": _cell(row, "Partnership Interest"),
            "support_interest": _cell(row, "Support Interest"),
            "full_name": name[:200] if audience != EOIAudience.ORGANISATION else "",
        }
        therapist = _therapist_by_email(email)
        status = ProfileStatus.NOT_APPLICABLE
        if audience == EOIAudience.THERAPIST:
            status = _EOI_STATUS.get(_cell(row, "Profile Creation Status").lower(), ProfileStatus.PENDING)
            if status == ProfileStatus.NOT_APPLICABLE or (status == ProfileStatus.CREATED and therapist is None):
                report.notes.append(f"row {number}: status {status} impossible here, imported as pending")
                status = ProfileStatus.PENDING
        existing = (
            ExpressionOfInterest.objects.alias(e=Lower("email"))
            .filter(e=email, audience=audience)
            .order_by("submitted_at")
            .first()
        )
        eoi = existing or ExpressionOfInterest(
            email=email, audience=audience, email_consent=True, submitted_at=submitted, consented_at=submitted
        )
        for attr, value in values.items():
            if value and not getattr(eoi, attr):
                setattr(eoi, attr, value)
        eoi.therapist = eoi.therapist or therapist
        if existing is None:
            eoi.profile_status = status
            if status in (ProfileStatus.CREATED, ProfileStatus.REJECTED):
                eoi.reviewed_at = _when(_cell(row, "Profile Creation Date")) or submitted
                eoi.review_reason = (
                    f"Imported from Notion (by {_cell(row, 'Profile Created By') or 'unknown'})"
                    if status == ProfileStatus.REJECTED
                    else ""
                )
        eoi.full_clean(validate_unique=False, validate_constraints=False)
        eoi.save()
        if existing is None:
            report.imported += 1
        else:
            report.merged += 1


def notion_export_import(*, directory: Path) -> ImportReport:
    """Import whichever of the four CSV files exist in ``directory`` (one transaction)."""
    report = ImportReport()
    steps = (("vic", _import_vic), ("research", _import_research), ("feedback", _import_feedback), ("eoi", _import_eoi))
    with transaction.atomic():
        for name, importer in steps:
            path = directory / FILES[name]
            if path.exists():
                importer(_read(path), report.tables[name])
    return report
