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
