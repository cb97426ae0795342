"""Rate limits counted in PostgreSQL, exactly, across every worker.

DRF's throttles keep a list of request times per client in Django's cache: with the default per-process
cache every gunicorn worker counted on its own (about twice the limit got through with two workers), and
even a shared cache is read, changed and written back, so concurrent requests race. Here each request is
ONE statement on ``sanctuary_throttlewindow``:

    INSERT … VALUES (key, window start, 1) ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + 1
    RETURNING hits

over fixed windows of the rate's period (a minute for "30/min"). PostgreSQL serialises the upserts of one
key, so the n-th request of a window sees n, whichever worker serves it. (A fixed window lets a client
spend a limit at the end of one window and again at the start of the next; the limits here are generous
enough for that.) Windows older than a day are deleted now and then, by the request that happens to roll
the dice.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from rest_framework import throttling

# One request in this many also deletes windows older than a day.
CLEAN_UP_ONE_IN = 1000

_UPSERT = """
    INSERT INTO sanctuary_throttlewindow (key, window_start, hits) VALUES (%s, %s, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = sanctuary_throttlewindow.hits + 1
    RETURNING hits"""


class CountedThrottle:
    """Mixed into DRF's throttles in place of their cache history (keys, scopes and rates stay DRF's)."""

    rate: str | None
    num_requests: int
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        return self.count_request(request, view)

    def count_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)  # type: ignore[attr-defined]  # the DRF class's
        if key is None:
            return True
        now = datetime.now(tz=UTC)
        start = datetime.fromtimestamp(int(now.timestamp()) // self.duration * self.duration, tz=UTC)
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, [key[:200], start])
            (hits,) = cursor.fetchone()
            if random.randrange(CLEAN_UP_ONE_IN) == 0:  # noqa: S311  (a sampling decision, not a secret)
                cursor.execute(
                    "DELETE FROM sanctuary_throttlewindow WHERE window_start < %s", [now - timedelta(days=1)]
                )
        self._wait = (start + timedelta(seconds=self.duration) - now).total_seconds()
        return bool(hits <= self.num_requests)

    def wait(self) -> float | None:
        return max(getattr(self, "_wait", 0.0), 0.0)


class ScopedRateThrottle(CountedThrottle, throttling.ScopedRateThrottle):
    """DRF's per-view scope (``throttle_scope``), per user or client address."""

    def allow_request(self, request: Any, view: Any) -> bool:
        # As DRF's: the rate is the view's scope's, known only now.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True
        self.num_requests, self.duration = num_requests, duration
        return self.count_request(request, view)


class UserRateThrottle(CountedThrottle, throttling.UserRateThrottle):
    """DRF's per-user limit (client address for anonymous requests)."""
