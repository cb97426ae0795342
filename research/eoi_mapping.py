"""The one declared mapping from an EOI to a ``practice.Therapist`` profile (seed facts B.16, PART C Q3).

``EOI_TO_THERAPIST`` is the single source for the conversion service, the admin preview, the
``create_profile_from_eoi`` command, the staff API preview and ``docs/eoi-conversion.md`` (a test compares
the docs table with ``mapping_table_markdown()``).

The original script wrote the whole name into ``First Name`` and the Organisation into ``Fullname``; here
the name is parsed (honorific → ``title``, given names → ``first_name``, surname with its particles →
``last_name``) and the organisation goes to ``organisation``.

Merge rules (an existing therapist with the same e-mail, e.g. a VIC import): a mapped field is written only
when the profile's field is empty; a list (specialisations) of an unverified profile is extended with the EOI's
new items. A non-empty differing value is kept and reported as a conflict; on a verified profile
(``license_verified`` or directory status verified/published) it is reported as kept because verified. Nothing
is ever overwritten silently.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from practice.models import Therapist
from practice.models.therapists import DirectoryStatus

if TYPE_CHECKING:
    from research.models import ExpressionOfInterest

HONORIFICS = frozenset({"dr", "prof", "professor", "assoc prof", "a/prof", "mr", "mrs", "ms", "mx", "miss"})
# Lower-case surname particles that belong to the last name ("van der Berg", "de Silva", "bin Ali").
SURNAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "le",
        "la",
        "dos",
        "das",
        "bin",
        "binti",
        "al",
        "el",
        "ter",
        "ten",
        "st.",
    }
)


@dataclass(frozen=True)
class ParsedName:
    title: str
    first_name: str
    last_name: str


def _clean(value: str) -> str:
    # The PHP form HTML-escaped everything before it reached Notion ("Anxiety &amp; depression").
    return re.sub(r"\s+", " ", html.unescape(value or "")).strip()


def parse_full_name(value: str) -> ParsedName:
    """``"Dr. Jane van der Berg"`` → title ``Dr.``, first ``Jane``, last ``van der Berg``.

    Post-nominals after a comma ("Jane Smith, PhD") are dropped; a single word is a first name only.
    """
    name = _clean(value).split(",")[0].strip()
    words = name.split(" ") if name else []
    title = ""
    if len(words) > 1 and words[0].lower().rstrip(".") in HONORIFICS:
        title, words = words[0], words[1:]
    if len(words) <= 1:
        return ParsedName(title, words[0] if words else "", "")
    # The surname is the last word plus any lower-case particles right before it; the rest are given names.
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in SURNAME_PARTICLES:
        start -= 1
    return ParsedName(title, " ".join(words[:start]), " ".join(words[start:]))


def _text(limit: int) -> Callable[[str], str]:
    def transform(value: str) -> str:
        return _clean(value)[:limit]

    return transform


def _email(value: str) -> str:
    return (value or "").strip().lower()


def _split_list(value: str) -> list[str]:
    items: list[str] = []
    for part in re.split(r"[,;\n]+", html.unescape(value or "")):
        item = re.sub(r"\s+", " ", part).strip()[:200]
        if item and item.lower() not in {i.lower() for i in items}:
            items.append(item)
    return items


@dataclass(frozen=True)
class FieldMapping:
    eoi_field: str
    therapist_field: str
    transform: Callable[[str], Any]
    rule: str  # for the preview and the docs


EOI_TO_THERAPIST: tuple[FieldMapping, ...] = (
    FieldMapping(
        "full_name",
        "title",
        lambda v: parse_full_name(v).title,
        "leading honorific (Dr., Prof., Ms …) of the parsed full name",
    ),
    FieldMapping(
        "full_name",
        "first_name",
        lambda v: parse_full_name(v).first_name[:100],
        "given name(s) of the parsed full name",
    ),
    FieldMapping(
        "full_name",
        "last_name",
        lambda v: parse_full_name(v).last_name[:100],
        "surname with its particles (van der, de …) of the parsed full name",
    ),
    FieldMapping("email", "email", _email, "trimmed, lower-case; also the merge key (case-insensitive)"),
    FieldMapping("professional_title", "profession", _text(100), "trimmed free text"),
    FieldMapping(
        "organisation", "organisation", _text(200), "trimmed (the original script wrote it into the full name)"
    ),
    FieldMapping(
        "specialisations",
        "specializations",
        _split_list,
        "split on commas, semicolons and new lines; trimmed, de-duplicated",
    ),
)
# Set on new profiles only (a merged profile keeps its source, e.g. vic_import).
NEW_PROFILE_FIXED = {"profile_source": Therapist.ProfileSource.EOI, "directory_status": DirectoryStatus.PENDING_REVIEW}


class Change(StrEnum):
    SET = "set"  # new profile: value written
    FILL = "fill"  # existing profile: the field was empty
    EXTEND = "extend"  # unverified profile: list extended with the EOI's new items (as sync_survey_to_therapist)
    SAME = "same"  # already holds this value
    KEPT_VERIFIED = "kept_verified"  # differs; the profile is verified, its value stays
    KEPT_CONFLICT = "kept_conflict"  # differs; the existing value stays (review manually)
    NO_VALUE = "no_value"  # the EOI has nothing for this field


WRITES = frozenset({Change.SET, Change.FILL, Change.EXTEND})


@dataclass(frozen=True)
class PlannedField:
    eoi_field: str
    eoi_value: str
    therapist_field: str
    rule: str
    current: Any
    proposed: Any
    change: Change

    @property
    def writes(self) -> bool:
        return self.change in WRITES

    def as_dict(self) -> dict[str, Any]:
        return {
            "eoi_field": self.eoi_field,
            "eoi_value": self.eoi_value,
            "therapist_field": self.therapist_field,
            "rule": self.rule,
            "current": self.current,
            "proposed": self.proposed,
            "change": str(self.change),
        }


def is_verified(therapist: Therapist) -> bool:
    return therapist.license_verified or therapist.directory_status in (
        DirectoryStatus.VERIFIED,
        DirectoryStatus.PUBLISHED,
    )


def _empty(value: Any) -> bool:
    return value in (None, "", [])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    if isinstance(a, list) and isinstance(b, list):
        return sorted(x.casefold() for x in a) == sorted(x.casefold() for x in b)
    return bool(a == b)


def conversion_plan(eoi: ExpressionOfInterest, therapist: Therapist | None) -> list[PlannedField]:
    """What converting ``eoi`` would do, field by field: into a new profile (``therapist=None``) or a merge."""
    verified = therapist is not None and is_verified(therapist)
    plan = []
    for mapping in EOI_TO_THERAPIST:
        raw = getattr(eoi, mapping.eoi_field) or ""
        proposed = mapping.transform(raw)
        current = getattr(therapist, mapping.therapist_field) if therapist is not None else None
        if _empty(proposed):
            change = Change.NO_VALUE
        elif therapist is None:
            change = Change.SET
        elif _empty(current):
            change = Change.FILL
        elif _same(current, proposed):
            change = Change.SAME
        elif isinstance(current, list) and not verified:
            known = {item.casefold() for item in current}
            proposed = [*current, *(item for item in proposed if item.casefold() not in known)]
            change = Change.SAME if len(proposed) == len(current) else Change.EXTEND
        else:
            change = Change.KEPT_VERIFIED if verified else Change.KEPT_CONFLICT
        plan.append(
            PlannedField(mapping.eoi_field, str(raw), mapping.therapist_field, mapping.rule, current, proposed, change)
        )
    return plan


def mapping_table_markdown() -> str:
    """The table ``docs/eoi-conversion.md`` must contain verbatim."""
    lines = ["| EOI field | Therapist field | Transform |", "|---|---|---|"]
    lines += [f"| `{m.eoi_field}` | `{m.therapist_field}` | {m.rule} |" for m in EOI_TO_THERAPIST]
    return "\n".join(lines)
