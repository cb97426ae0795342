"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

import pghistory.middleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """pghistory's middleware (acting user and URL on every history row of a request), minus the public
    high-volume research paths that write no tracked table (``HISTORY_CONTEXT_EXEMPT_PATHS``).

    Inside a context pghistory prefixes every statement of the request with two ``set_config`` calls; on the
    survey, feedback, beacon and webhook paths that is pure cost, since they write only research tables that
    keep no history (engagement events, research state, survey responses, feedback). The EOI form writes a
    tracked table and keeps its context. A test checks that no exempt path writes a tracked table.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.exempt = tuple(settings.HISTORY_CONTEXT_EXEMPT_PATHS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.exempt):
            return self.get_response(request)
        return super().__call__(request)
