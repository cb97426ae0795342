"""The raw psycopg floor: N processes running one transaction in a loop against the same database.

It is the ceiling for a write path: no HTTP, no Django, server-side prepared statements (psycopg prepares
a statement after five executions). ``run_floor`` is generic: give it a picklable callable
``transaction(conn, worker, i)`` (a module-level function or a dataclass with ``__call__``), which is run
inside ``conn.transaction()``. Processes are spawned (not forked) so they inherit no sockets or threads;
they connect, wait on one barrier, then loop until the time or the transaction budget runs out.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import random
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.lib.stats import Measurement, median, percentile
from bench.lib.tables import EVENT_INSERT, EVENT_UPDATE, email_id

Transaction = Callable[[Any, int, int], object]


@dataclass(frozen=True)
class SqlTransaction:
    """Statements run in order in one transaction; ``params(worker, i)`` gives one parameter list per statement."""

    statements: Sequence[str]
    params: Callable[[int, int], Sequence[Sequence[Any]]]

    def __call__(self, conn: Any, worker: int, i: int) -> None:
        for statement, values in zip(self.statements, self.params(worker, i), strict=True):
            conn.execute(statement, values)


@dataclass(frozen=True)
class EventTransaction:
    """The webhook's writes: insert the event if its id is new, and only then bump its counter row.

    About ``replay_fraction`` of the transactions repeat an id this worker already used (a redelivery),
    which must insert nothing and update nothing.
    """

    run_id: str
    replay_fraction: float = 0.1

    def __call__(self, conn: Any, worker: int, i: int) -> None:
        # Each spawned worker has its own random state; replays reuse an id this worker already sent.
        n = random.randrange(i) if i and random.random() < self.replay_fraction else i
        event_id = f"floor_{self.run_id}_{worker}_{n}"
        target = email_id(n * 7 + worker)
        kind = "email.delivered"
        body = json.dumps({"type": kind, "data": {"email_id": target, "to": ["therapist@example.org"]}})
        stored = conn.execute(EVENT_INSERT, [event_id, target, kind, body]).fetchone()
        if stored is not None:
            conn.execute(EVENT_UPDATE, [kind, target])


def _worker(
    conninfo: dict[str, Any],
    transaction: Transaction,
    worker: int,
    duration_s: float,
    budget: int,
    barrier: Any,
    results: Any,
) -> None:
    import psycopg

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    latencies: list[float] = []
    done = errors = 0
    error_text = ""
    try:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            barrier.wait(timeout=60)
            started = time.perf_counter()
            deadline = started + duration_s
            while done + errors < budget:
                t0 = time.perf_counter()
                if t0 >= deadline:
                    break
                try:
                    with conn.transaction():
                        transaction(conn, worker, done + errors)
                except psycopg.errors.OperationalError:
                    raise
                except psycopg.Error as exc:
                    errors += 1
                    error_text = f"{type(exc).__name__}: {exc}"[:300]
                    continue
                latencies.append(time.perf_counter() - t0)
                done += 1
            elapsed = time.perf_counter() - started
    except Exception as exc:  # reported, never hangs the parent
        results.put({"worker": worker, "fatal": f"{type(exc).__name__}: {exc}"[:500]})
        return
    latencies.sort()
    results.put(
        {
            "worker": worker,
            "done": done,
            "errors": errors,
            "elapsed": elapsed,
            "error": error_text,
            "p50": percentile(latencies, 50) if latencies else None,
            "p99": percentile(latencies, 99) if latencies else None,
        }
    )


def run_floor(
    conninfo: dict[str, Any],
    transaction: Transaction,
    *,
    processes: int = 4,
    duration_s: float = 5.0,
    max_transactions: int = 1_000_000,
) -> Measurement:
    """Transactions/s summed over ``processes`` workers, each bounded by time and its share of the budget.

    Latency p50 is the median of the workers' p50s and p99 the worst worker's p99 (per transaction).
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    budget = max(1, max_transactions // processes)
    workers = [
        ctx.Process(
            target=_worker,
            args=(conninfo, transaction, w, duration_s, budget, barrier, results),
            name=f"bench-floor-{w}",
            daemon=True,
        )
        for w in range(processes)
    ]
    reports: list[dict[str, Any]] = []
    try:
        for p in workers:
            p.start()
        try:
            barrier.wait(timeout=60)
        except Exception:
            barrier.abort()
        deadline = time.monotonic() + duration_s + 60
        while len(reports) < processes and time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                reports.append(results.get(timeout=1))
            if len(reports) < processes and not any(p.is_alive() for p in workers) and results.empty():
                break
    finally:
        for p in workers:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()
    fatal = [r["fatal"] for r in reports if "fatal" in r]
    if fatal or len(reports) < processes:
        raise RuntimeError(f"psycopg floor failed: {fatal or 'workers did not report'}")
    done = sum(r["done"] for r in reports)
    p50s = [r["p50"] for r in reports if r["p50"] is not None]
    p99s = [r["p99"] for r in reports if r["p99"] is not None]
    errors = [r["error"] for r in reports if r["error"]]
    return Measurement(
        rate=sum(r["done"] / r["elapsed"] for r in reports if r["elapsed"]),
        count=done,
        elapsed_s=max(r["elapsed"] for r in reports),
        p50_ms=median(p50s) * 1000 if p50s else None,
        p99_ms=max(p99s) * 1000 if p99s else None,
        errors=sum(r["errors"] for r in reports),
        tool=f"psycopg x{processes}",
        note=errors[0] if errors else "",
    )
