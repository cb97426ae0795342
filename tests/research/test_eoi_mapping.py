"""The one mapping table: name parsing, list splitting, and the docs table generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from practice.models import Therapist
from research.eoi_mapping import EOI_TO_THERAPIST, ParsedName, mapping_table_markdown, parse_full_name
from research.models import ExpressionOfInterest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "eoi-conversion.md"


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("Dr. Jane van der Berg", ParsedName("Dr.", "Jane", "van der Berg")),
        ("Jane Smith", ParsedName("", "Jane", "Smith")),
        ("Jane Mary Smith", ParsedName("", "Jane Mary", "Smith")),
        ("Prof Ana de la Cruz, PhD", ParsedName("Prof", "Ana", "de la Cruz")),
        ("  Sam   O&#039;Neil ", ParsedName("", "Sam", "O'Neil")),
        ("Cher", ParsedName("", "Cher", "")),
        ("", ParsedName("", "", "")),
    ],
)
def test_full_names_are_parsed_into_title_first_and_last(raw: str, parsed: ParsedName) -> None:
    assert parse_full_name(raw) == parsed


def test_the_organisation_maps_to_organisation_and_only_there() -> None:
    # B.16: the original script wrote Organisation into Fullname.
    targets = {m.therapist_field for m in EOI_TO_THERAPIST if m.eoi_field == "organisation"}
    assert targets == {"organisation"}
    name_targets = {m.therapist_field for m in EOI_TO_THERAPIST if m.eoi_field == "full_name"}
    assert name_targets == {"title", "first_name", "last_name"}


def test_every_mapping_names_real_fields() -> None:
    eoi_fields = {f.name for f in ExpressionOfInterest._meta.get_fields()}
    therapist_fields = {f.name for f in Therapist._meta.get_fields()}
    for mapping in EOI_TO_THERAPIST:
        assert mapping.eoi_field in eoi_fields
        assert mapping.therapist_field in therapist_fields


def test_the_docs_table_is_the_code_table() -> None:
    assert mapping_table_markdown() in DOCS.read_text()
    assert len(mapping_table_markdown().splitlines()) == len(EOI_TO_THERAPIST) + 2
