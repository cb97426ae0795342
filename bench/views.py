"""Bench-only floor views: the least Django work that does the same job as a real endpoint.

They run behind the full middleware stack of ``bench.settings`` (the same as production), so a real
endpoint's ratio to them is the cost of its own code: serializers, services, ORM, validation. Each write
is one parametrised raw statement on a ``bench_floor_*`` table that the harness creates and drops itself
(``bench/lib/tables.py``); these are not models and have no migrations.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.lib.tables import EVENT_INSERT, EVENT_UPDATE, INSERT_ONE


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
        params = [str(data["email"]), str(data["audience"]), int(data["rating"]), str(data.get("comment", "")),
                  request.body.decode()]
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


_PATIENT_PAGE = """
    SELECT p.id, p.first_name, p.last_name, p.email, p.status, p.phone, p.date_of_birth,
           (SELECT count(*) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template),
           (SELECT max(n.session_date) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template),
           (SELECT min(a.scheduled_start) FROM practice_appointment a
             WHERE a.patient_id = p.id AND a.status = 'scheduled' AND a.scheduled_start >= now())
      FROM practice_patient p WHERE p.therapist_id = %s ORDER BY p.last_name, p.first_name, p.id LIMIT 50"""
_UPCOMING_PAGE = """
    SELECT a.id, a.scheduled_start, a.scheduled_end, a.status, a.appointment_type, a.patient_id,
           p.first_name || ' ' || p.last_name, p.avatar_url, st.name, st.default_duration_minutes
      FROM practice_appointment a JOIN practice_patient p ON p.id = a.patient_id
      LEFT JOIN practice_sessiontype st ON st.id = a.session_type_id
     WHERE a.therapist_id = %s AND a.status = 'scheduled' AND a.scheduled_start >= now()
     ORDER BY a.scheduled_start LIMIT 50"""
_COLUMNS = {
    "patients": ("id", "first_name", "last_name", "email", "status", "phone", "date_of_birth", "total_sessions",
                 "last_session_date", "next_session_at"),
    "upcoming": ("id", "scheduled_start", "scheduled_end", "status", "appointment_type", "patient", "patient_name",
                 "patient_avatar", "session_type_name", "default_duration_minutes"),
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
    return _raw_page(request, _PATIENT_PAGE, _COLUMNS["patients"],
                     "SELECT count(*) FROM practice_patient WHERE therapist_id = %s")


@require_GET
def raw_upcoming(request: HttpRequest) -> JsonResponse:
    """The dashboard floor: upcoming appointments' first page in raw SQL."""
    return _raw_page(request, _UPCOMING_PAGE, _COLUMNS["upcoming"],
                     "SELECT count(*) FROM practice_appointment WHERE therapist_id = %s AND status = 'scheduled' "
                     "AND scheduled_start >= now()")
