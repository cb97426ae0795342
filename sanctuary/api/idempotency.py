"""``Idempotency-Key`` on every create and state change of the API: a client that did not hear the answer
(a cut connection, a restarted server) sends the same request again with the same key and gets the first
answer back, status and body, without the create happening twice.

- The key is the client's (1–255 printable ASCII characters, e.g. a UUID), per user — per client address on
  the public endpoints — and kept ``KEEP`` (24 hours).
- The key's row is written in the same transaction as the create: if the create commits, so does the key
  with its response; if it fails or the server dies half way, neither exists and a retry simply runs.
  A second request with the key while the first is running waits for it (the row lock of the upsert)
  and then gets its answer.
- Only successes (2xx) are kept. The same key with a different method, path or body is a 422.
- Throttling, authentication and permissions run before, outside that transaction, so a failed attempt
  still counts against the rate limit.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

_CLAIM = """
    INSERT INTO sanctuary_idempotencykey AS k (scope, key, fingerprint, created_at) VALUES (%s, %s, %s, %s)
    ON CONFLICT (scope, key) DO UPDATE
        SET fingerprint = EXCLUDED.fingerprint, status = NULL, body = NULL, created_at = EXCLUDED.created_at
        WHERE k.created_at < %s
    RETURNING id"""
_STORED = "SELECT fingerprint, status, body FROM sanctuary_idempotencykey WHERE scope = %s AND key = %s"
_STORE = "UPDATE sanctuary_idempotencykey SET status = %s, body = %s::jsonb WHERE id = %s"

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
# One keyed request in this many also deletes every expired key.
CLEAN_UP_ONE_IN = 1000
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")

SCHEMA_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"},
    description=(
        "Any unique string (1–255 printable ASCII characters; a UUID is ideal). Send the same key again to retry "
        "safely: within 24 hours a repeat with the same body returns the first response (status and body, with "
        f"`{REPLAYED_HEADER}: true`) without doing it twice; the same key with a different body is a 422."
    ),
)


class KeyReused(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used for a different request; use a new key for a new request."


class InvalidKey(exceptions.ParseError):
    default_code = "invalid_idempotency_key"
    default_detail = "Idempotency-Key must be 1 to 255 printable ASCII characters."


class _Replay(Exception):
    """Raised once the stored answer is found: DRF's exception path turns it into that response."""

    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body = status, body


def _fingerprint(request: Any) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _scope(request: Request) -> str:
    if request.user is not None and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    from sanctuary.api.plumbing import client_ip

    return f"ip:{client_ip(request)}"


class IdempotentMixin:
    # For API views: honour ``Idempotency-Key`` on the methods in ``idempotent_methods``. (A comment, not a
    # docstring: drf-spectacular would show a docstring as the description of every view without its own.)

    idempotent_methods: tuple[str, ...] = ("POST",)
    # Viewset actions that only read, though posted (a search): nothing to protect, nothing to keep.
    read_only_actions: tuple[str, ...] = ()

    def honours_idempotency_key(self, method: str) -> bool:
        if method not in self.idempotent_methods:
            return False
        action = getattr(self, "action", None) or (getattr(self, "action_map", None) or {}).get(method.lower())
        return action not in self.read_only_actions

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        self._idempotency: dict[str, Any] | None = None
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if key is None or too_big or not self.honours_idempotency_key(request.method):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        # Read before anything parses the body; the parsers then read this cached copy.
        self._idempotency = {"key": key, "fingerprint": _fingerprint(request), "block": None, "row": None}
        try:
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except BaseException as error:
            self._idempotency_close(error)
            raise
        try:
            row = self._idempotency["row"]
            if row is None or not 200 <= response.status_code < 300:
                # Not a success: undo the claim (and anything the view wrote) so a retry simply runs again.
                if self._idempotency["block"] is not None:
                    transaction.set_rollback(True)
            elif not transaction.get_rollback():
                body = json.dumps(getattr(response, "data", None), cls=DjangoJSONEncoder)
                with connection.cursor() as cursor:
                    cursor.execute(_STORE, [response.status_code, body, row])
        except BaseException as error:
            self._idempotency_close(error)
            raise
        self._idempotency_close(None)
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # authentication, permissions, throttles
        state = self._idempotency
        if state is None:
            return
        if not _VALID_KEY.fullmatch(state["key"]):
            raise InvalidKey()
        block = transaction.atomic()
        block.__enter__()
        state["block"] = block
        scope, now = _scope(request), timezone.now()
        with connection.cursor() as cursor:
            # Claims the key (or takes over an expired one). A concurrent request holding it makes this wait
            # until that one commits (then no row comes back: read what it kept) or rolls back (then we claim).
            cursor.execute(_CLAIM, [scope, state["key"], state["fingerprint"], now, now - KEEP])
            claimed = cursor.fetchone()
            if claimed is None:
                cursor.execute(_STORED, [scope, state["key"]])
                fingerprint, status, body = cursor.fetchone()
                if fingerprint != state["fingerprint"]:
                    raise KeyReused()
                raise _Replay(status, json.loads(body) if isinstance(body, str) else body)
            if random.randrange(CLEAN_UP_ONE_IN) == 0:  # noqa: S311  (a sampling decision, not a secret)
                cursor.execute("DELETE FROM sanctuary_idempotencykey WHERE created_at < %s", [now - KEEP])
        state["row"] = claimed[0]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            response = Response(exc.body, status=exc.status)
            response[REPLAYED_HEADER] = "true"
            return response
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]

    def _idempotency_close(self, error: BaseException | None) -> None:
        state = self._idempotency
        block = state["block"] if state else None
        if block is None:
            return
        state["block"] = None  # type: ignore[index]
        if error is None:
            block.__exit__(None, None, None)
        else:
            block.__exit__(type(error), error, error.__traceback__)
