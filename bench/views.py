"""Bench-only floor views: the least Django work that does the same job as a real endpoint.

They run behind the full middleware stack of ``bench.settings`` (the same as production), so a real
endpoint's ratio to them is the cost of its own code: serializers, services, ORM, validation. Each write
is one parametrised raw statement on a ``bench_floor_*`` table that the harness creates and drops itself
(``bench/lib/tables.py``); these are not models and have no migrations.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, JSONField, Model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from psycopg.types.json import Jsonb

from bench.lib.tables import EVENT_INSERT, EVENT_UPDATE, INSERT_ONE
from bench.queries import NAME  # the indexed full-name expression, as the selectors compile it
from practice.selectors import PATIENT_LIST_COLUMNS
from research.models import ExpressionOfInterest, Feedback, SurveyResponse


@require_GET
def plain_json(request: HttpRequest) -> JsonResponse:
    """The framework floor: routing, middleware, a JSON response, no database."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
def raw_insert(request: HttpRequest) -> JsonResponse:
    """The intake floor: parse a JSON body, one raw INSERT (autocommit), 201."""
    try:
        data = json.loads(request.body)
        params: list[str | int] = [
            str(data["email"]),
            str(data["audience"]),
            int(data["rating"]),
            str(data.get("comment", "")),
            request.body.decode(),
        ]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad body"}, status=400)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_ONE, params)
    return JsonResponse({"stored": True}, status=201)


@csrf_exempt
@require_POST
def raw_event(request: HttpRequest) -> JsonResponse:
    """The webhook's transaction done raw in a plain view: insert-if-new by provider id, then bump the counter.

    No signature check: this is the floor for the writes, the same two statements the psycopg floor runs.
    """
    event_id = request.headers.get("svix-id", "")
    try:
        data = json.loads(request.body)
        email_id, kind = str(data["data"]["email_id"]), str(data["type"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad body"}, status=400)
    if not event_id:
        return JsonResponse({"error": "no svix-id"}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(EVENT_INSERT, [event_id, email_id, kind, request.body.decode()])
        stored = cursor.fetchone() is not None
        if stored:
            cursor.execute(EVENT_UPDATE, [kind, email_id])
    return JsonResponse({"stored": stored})


# The same rows the endpoints return (practice.selectors.PATIENT_LIST_COLUMNS; the upcoming dashboard's row).
_PATIENT_PAGE = f"""
    SELECT p.id, p.first_name, p.last_name, {NAME}, p.email, p.phone, p.date_of_birth, p.avatar_url,
           p.preferred_session_type, p.status, p.archived_at,
           (SELECT count(*) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template),
           (SELECT max(n.session_date) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template),
           (SELECT min(a.scheduled_start) FROM practice_appointment a
             WHERE a.patient_id = p.id AND a.status = 'scheduled' AND a.scheduled_start >= now())
      FROM practice_patient p WHERE p.therapist_id = %s ORDER BY p.last_name, p.first_name, p.id LIMIT 50"""
_UPCOMING_PAGE = """
    SELECT a.id, a.patient_id, p.first_name || ' ' || p.last_name, p.avatar_url, t.first_name || ' ' || t.last_name,
           a.session_type_id, st.name, st.default_duration_minutes, a.scheduled_start, a.scheduled_end,
           a.appointment_type, a.status, a.location, a.meeting_url
      FROM practice_appointment a JOIN practice_patient p ON p.id = a.patient_id
      JOIN practice_therapist t ON t.id = a.therapist_id
      LEFT JOIN practice_sessiontype st ON st.id = a.session_type_id
     WHERE a.therapist_id = %s AND a.status = 'scheduled' AND a.scheduled_start >= now()
     ORDER BY a.scheduled_start LIMIT 50"""
_COLUMNS = {
    "patients": PATIENT_LIST_COLUMNS,  # the same columns the selector returns
    "upcoming": (
        "id",
        "patient",
        "patient_name",
        "patient_avatar",
        "therapist_name",
        "session_type",
        "session_type_name",
        "default_duration_minutes",
        "scheduled_start",
        "scheduled_end",
        "appointment_type",
        "status",
        "location",
        "meeting_url",
    ),
}


def _raw_page(request: HttpRequest, sql: str, columns: tuple[str, ...], count_sql: str | None) -> JsonResponse:
    therapist = request.headers.get("X-Therapist", "")
    with connection.cursor() as cursor:
        total = None
        if count_sql:
            cursor.execute(count_sql, [therapist])
            total = cursor.fetchone()[0]
        cursor.execute(sql, [therapist])
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"count": total, "next": None, "previous": None, "results": rows})


@require_GET
def raw_patients(request: HttpRequest) -> JsonResponse:
    """The list floor: the therapist patient list's first page (and its count) in raw SQL, no auth, no ORM."""
    return _raw_page(
        request, _PATIENT_PAGE, _COLUMNS["patients"], "SELECT count(*) FROM practice_patient WHERE therapist_id = %s"
    )


@require_GET
def raw_upcoming(request: HttpRequest) -> JsonResponse:
    """The dashboard floor: upcoming appointments' first page in raw SQL."""
    return _raw_page(
        request,
        _UPCOMING_PAGE,
        _COLUMNS["upcoming"],
        "SELECT count(*) FROM practice_appointment WHERE therapist_id = %s AND status = 'scheduled' "
        "AND scheduled_start >= now()",
    )


# -- the same writes as the intake endpoints, raw (issue 7: "a plain view doing the same raw INSERT") ----------
#
# Each floor below writes what its endpoint writes, to the same tables, in raw SQL from the parsed JSON body:
# no DRF, no serializer, no model instance, no token check (the body names the therapist directly, as the
# event floor skips the webhook's signature). Column lists come from the models' metadata once, at import.


def _insert_sql(model: type[Model], suffix: str = "") -> tuple[str, list[Field]]:
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields if f.column is not None)
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) {suffix}"
    return sql, fields


def _row(fields: list[Field], data: dict[str, Any], now: datetime) -> list[Any]:
    """One value per column: from the body, else the field's default ("" / [] / now / a new id)."""
    values = []
    for f in fields:
        if f.attname in data:
            value = data[f.attname]
        elif f.name in data:
            value = data[f.name]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        else:
            value = f.get_default()
        values.append(Jsonb(value) if isinstance(f, JSONField) else value)
    return values


_FEEDBACK_INSERT, _FEEDBACK_FIELDS = _insert_sql(Feedback)
_EOI_INSERT, _EOI_FIELDS = _insert_sql(ExpressionOfInterest)
# The EOI's e-mail -> directory therapist link (a statement before the insert, as the endpoint does it).
_EOI_LOOKUP = "SELECT id FROM practice_therapist WHERE lower(email) = %s"
_SURVEY_UPSERT, _SURVEY_FIELDS = _insert_sql(
    SurveyResponse,
    "ON CONFLICT (therapist_id) WHERE therapist_id IS NOT NULL DO UPDATE SET "
    "updated_at = EXCLUDED.updated_at, submitted_at = EXCLUDED.submitted_at, comments = EXCLUDED.comments "
    "RETURNING id, (xmax <> 0)",
)


def _body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@csrf_exempt
@require_POST
def raw_feedback(request: HttpRequest) -> JsonResponse:
    """The feedback floor: the same row into research_feedback, one INSERT (autocommit)."""
    data = _body(request)
    if data is None:
        return JsonResponse({"error": "bad body"}, status=400)
    now = timezone.now()
    row = {
        **data,
        "submitted_at": now,
        "audience": data.get("audience") or "sandbox",
        "context": {"scroll_percent": data.get("scroll_percent")},
    }
    with connection.cursor() as cursor:
        cursor.execute(_FEEDBACK_INSERT, _row(_FEEDBACK_FIELDS, row, now))
    return JsonResponse({"id": str(row.get("id", ""))}, status=201)


@csrf_exempt
@require_POST
def raw_eoi(request: HttpRequest) -> JsonResponse:
    """The EOI floor: the e-mail's therapist lookup and the same row into research_expressionofinterest."""
    data = _body(request)
    if data is None or not isinstance(data.get("email"), str):
        return JsonResponse({"error": "bad body"}, status=400)
    now = timezone.now()
    email = data["email"].strip().lower()
    with connection.cursor() as cursor:
        cursor.execute(_EOI_LOOKUP, [email])
        found = cursor.fetchone()
        row = {
            **data,
            "email": email,
            "submitted_at": now,
            "consented_at": now,
            "profile_status": "not_applicable",
            "therapist_id": found[0] if found else None,
        }
        cursor.execute(_EOI_INSERT, _row(_EOI_FIELDS, row, now))
    return JsonResponse({"status": "received"}, status=201)


def _event_params(
    therapist_id: str, kind: str, now: datetime, provider_event_id: str, context: dict, **delta: Any
) -> dict[str, Any]:
    """events.py's parameters for a token-attributed event (what event_record builds from EventInput)."""
    flags = dict.fromkeys(
        (
            "invited",
            "opened",
            "clicked",
            "completed",
            "sandbox",
            "feedback",
            "followup",
            "unsubscribed",
            "bounced",
            "complained",
        ),
        False,
    )
    return {
        "kind": kind,
        "occurred_at": now,
        "context": Jsonb(context),
        "status": "completed",
        "provider_event_id": provider_event_id,
        "therapist_id": therapist_id,
        "outbound_email_id": None,
        "provider_message_id": None,
        "recipient": "",
        "suppress": None,
        "outbound_status": None,
        "proxy_ua": False,
        "machine_secs": 60.0,
        "stage": 0,
        "step_bits": 0,
        "variant": "",
        "experiment_id": "",
        **flags,
        **delta,
    }


@csrf_exempt
@require_POST
def raw_beacon(request: HttpRequest) -> HttpResponse:
    """The beacon floor: events.py's one statement (prepared, as the endpoint runs it), therapist from the body."""
    from research.services.events import _STATEMENT

    data = _body(request)
    if data is None or not data.get("therapist_id"):
        return JsonResponse({"error": "bad body"}, status=400)
    session = str(data.get("session_id", ""))
    _STATEMENT.fetchone(
        _event_params(
            data["therapist_id"],
            "sandbox_visited",
            timezone.now(),
            f"sandbox:{data['therapist_id']}:{session}",
            {"page_path": data.get("page_path", ""), "session_id": session},
            sandbox=True,
        )
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def raw_survey(request: HttpRequest) -> JsonResponse:
    """The survey floor: the same upsert into research_surveyresponse and the completion event, one transaction."""
    from research.services.events import _STATEMENT

    data = _body(request)
    if data is None or not isinstance(data.get("survey"), dict) or not data.get("therapist_id"):
        return JsonResponse({"error": "bad body"}, status=400)
    now = timezone.now()
    row = {
        **data["survey"],
        "therapist_id": data["therapist_id"],
        "session_id": data.get("session_id", ""),
        "consent_version": "2025-11-13",
        "consented_at": now,
        "submitted_at": now,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SURVEY_UPSERT, _row(_SURVEY_FIELDS, row, now))
        pk, existed = cursor.fetchone()
        _STATEMENT.fetchone(
            _event_params(
                data["therapist_id"],
                "survey_completed",
                now,
                f"survey:{pk}",
                {},
                stage=4,
                completed=True,
            )
        )
    return JsonResponse({"id": str(pk), "updated": existed}, status=200 if existed else 201)
