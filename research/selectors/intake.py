"""Survey answers for people: every question with its answer counts (one query for all of them), the
responses as rows of labels for the CSV export, and the staff API's lists of responses and widget feedback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Avg, Count, Max, Min, Q, QuerySet

from practice.models import Therapist
from research.models import Feedback, SurveyResponse
from sanctuary import display


@dataclass(frozen=True)
class Question:
    field: str
    label: str
    kind: str  # "single" | "multi" | "scale" | "amount"
    choices: tuple[tuple[str, str], ...] = ()


def _label(field: models.Field) -> str:
    return str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]


def survey_questions() -> list[Question]:
    """The survey's questions in form order, read from the model (a new answer field shows up by itself)."""
    questions = []
    for field in SurveyResponse._meta.concrete_fields:
        if isinstance(field, ArrayField) and field.base_field.choices:
            choices = tuple((str(v), str(label)) for v, label in field.base_field.choices)
            questions.append(Question(field.name, _label(field), "multi", choices))
        elif field.choices and field.name != "processing_status":
            choices = tuple((str(v), str(label)) for v, label in field.choices)
            questions.append(Question(field.name, _label(field), "single", choices))
        elif field.name == "profile_detail_level":
            questions.append(
                Question(field.name, _label(field), "scale", tuple((str(n), str(n)) for n in range(1, 11)))
            )
        elif isinstance(field, models.DecimalField):
            questions.append(Question(field.name, _label(field) + " (AUD)", "amount"))
    return questions


@dataclass(frozen=True)
class QuestionSummary:
    question: Question
    answered: int
    counts: list[tuple[str, int]]  # (option label, responses choosing it)
    stats: dict[str, Any]  # amounts: average, lowest, highest


def survey_summary(*, responses: QuerySet[SurveyResponse] | None = None) -> tuple[int, list[QuestionSummary]]:
    """Answer counts for every question over ``responses`` (all by default): ONE aggregate query."""
    responses = SurveyResponse.objects.all() if responses is None else responses
    questions = survey_questions()
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for q in questions:
        if q.kind == "multi":
            aggregates[f"{q.field}__answered"] = Count("pk", filter=~Q(**{q.field: []}))
            for i, (value, _) in enumerate(q.choices):
                aggregates[f"{q.field}__{i}"] = Count("pk", filter=Q(**{f"{q.field}__contains": [value]}))
        elif q.kind in ("single", "scale"):
            empty = Q(**{f"{q.field}__isnull": True}) | (Q(**{q.field: ""}) if q.kind == "single" else Q(pk=None))
            aggregates[f"{q.field}__answered"] = Count("pk", filter=~empty)
            for i, (value, _) in enumerate(q.choices):
                wanted = int(value) if q.kind == "scale" else value
                aggregates[f"{q.field}__{i}"] = Count("pk", filter=Q(**{q.field: wanted}))
        else:
            aggregates[f"{q.field}__answered"] = Count(q.field)
            aggregates[f"{q.field}__avg"] = Avg(q.field)
            aggregates[f"{q.field}__min"] = Min(q.field)
            aggregates[f"{q.field}__max"] = Max(q.field)
    row = responses.order_by().aggregate(**aggregates)
    summaries = []
    for q in questions:
        counts = [(label, row[f"{q.field}__{i}"]) for i, (_, label) in enumerate(q.choices)]
        stats = {}
        if q.kind == "amount":
            stats = {name: row[f"{q.field}__{name}"] for name in ("avg", "min", "max")}
        summaries.append(QuestionSummary(q, row[f"{q.field}__answered"], counts, stats))
    return row["total"], summaries


# --- CSV export ----------------------------------------------------------------------------------------------

EXPORT_EXCLUDED = ("import_key",)


def _cell(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(field, ArrayField) and field.base_field.choices:
        labels = dict(field.base_field.flatchoices)
        return "; ".join(str(labels.get(v, v)) for v in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        return display.local(value).isoformat(timespec="seconds")
    if isinstance(field, models.ForeignKey):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def survey_export_rows(*, responses: QuerySet[SurveyResponse]) -> Iterator[list[str]]:
    """A header row, then one row per response with every answer as its label (multi-choice joined by "; "),
    times in the practice's zone. Streams in chunks: one query per 2,000 rows."""
    fields = [f for f in SurveyResponse._meta.concrete_fields if f.name not in EXPORT_EXCLUDED]
    yield [("Therapist" if f.name == "therapist" else _label(f)) for f in fields]
    therapist_field = SurveyResponse._meta.get_field("therapist")
    rows = responses.select_related("therapist").order_by("submitted_at", "pk")
    for response in rows.iterator(chunk_size=2000):
        yield [
            (str(response.therapist) if response.therapist_id else "")
            if f is therapist_field
            else _cell(f, getattr(response, f.attname))
            for f in fields
        ]


def _by_therapist(filters: dict[str, Any]) -> dict[str, Any]:
    filters = dict(filters)
    if "therapist" in filters:
        filters["therapist_id"] = filters.pop("therapist")
    return filters


def survey_responses_for_staff(*, filters: dict[str, Any]) -> QuerySet[SurveyResponse]:
    """Survey responses with their therapist (one JOIN), newest first; ``filters`` are field=value pairs from
    the staff API's validated query (``therapist`` an id)."""
    responses = SurveyResponse.objects.select_related("therapist").order_by("-submitted_at", "pk")
    return responses.filter(**_by_therapist(filters))


def feedback_for_staff(*, filters: dict[str, Any]) -> QuerySet[Feedback]:
    """Widget feedback with its therapist (one JOIN), newest first; ``filters`` as for survey responses."""
    feedback = Feedback.objects.select_related("therapist").order_by("-submitted_at", "pk")
    return feedback.filter(**_by_therapist(filters))


def survey_session(*, therapist_id: Any) -> dict[str, Any] | None:
    """What the survey page prefills for an invitation's therapist, and whether they answered already; None
    when the token's therapist is gone."""
    therapist = (
        Therapist.objects.filter(pk=therapist_id).only("first_name", "last_name", "email", "organisation").first()
    )
    if therapist is None:
        return None
    return {
        "therapist": {
            "first_name": therapist.first_name,
            "name": therapist.full_name,
            "email": therapist.email,
            "practice": therapist.organisation,
        },
        "already_submitted": SurveyResponse.objects.filter(therapist_id=therapist.pk).exists(),
    }
