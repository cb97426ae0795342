"""A database outage is a 503 with ``Retry-After``, never a 500.

When PostgreSQL restarts, crashes or refuses connections, Django raises ``OperationalError`` (or
``InterfaceError`` on a connection that died under it). Those are the server's condition, not a bug in the
request: the answer is ``503 Service Unavailable`` with ``Retry-After``, in the API's one error shape under
``/api/`` and ``/webhooks/``, and as a friendly page elsewhere (the admin, the start page).

Two hooks catch it, because Django turns exceptions into responses in two places: ``OutageMiddleware``
(``process_exception``: anything a view raises, with DEBUG on or off) and ``server_error`` (``handler500``:
everything else that escapes, such as a session or user lookup in a middleware, when DEBUG is off).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client should wait before retrying: an embedded server is back within a few seconds of a crash.
RETRY_AFTER_SECONDS = 5
JSON_PREFIXES = ("/api/", "/webhooks/")


def _forget_broken_connections() -> None:
    """Drop connections the outage broke, so the next request reconnects instead of failing again."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


def outage_response(request: HttpRequest) -> HttpResponse:
    _forget_broken_connections()
    if request.path.startswith(JSON_PREFIXES):
        response: HttpResponse = JsonResponse(
            {
                "error": {
                    "status": 503,
                    "code": "unavailable",
                    "message": "The service is briefly unavailable. Please retry shortly.",
                }
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class OutageMiddleware:
    """Turns a database outage raised by a view into a 503 (first in ``MIDDLEWARE``, so its exception hook
    runs last and nothing has answered yet)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS):
            logger.warning("database unavailable (%s): answered 503", type(exception).__name__)
            return outage_response(request)
        return None


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a 503 when the error being handled is a database outage, the friendly 500 page (or the
    API's error shape) otherwise."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGE_ERRORS):
        return outage_response(request)
    if request.path.startswith(JSON_PREFIXES):
        return JsonResponse(
            {"error": {"status": 500, "code": "error", "message": "Something went wrong on our side."}}, status=500
        )
    return HttpResponse(loader.render_to_string("500.html"), status=500)
