"""``python -m bench.http``: the HTTP scenarios and the raw psycopg floor, interleaved, printed as ratios.

Starts gunicorn (``bench.settings``) on a free 127.0.0.1 port, drives every selected scenario once per round
in rotating order, runs the psycopg floor processes in the same rotation, stops everything it started by
PID, and prints one table (medians, spread, ratios to floors, targets), the workers' peak RSS, the
scenarios' checks, the load average before and after, and the versions. See bench/README.md.
"""

from __future__ import annotations

import sys

if __name__ == "__main__" and not __package__:
    # Run as a file (`python bench/http.py`): bench/ is sys.path[0] and this file would shadow the standard
    # library's `http` package, so re-run as the module from the project root before anything imports http.
    import runpy
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    runpy.run_module("bench.http", run_name="__main__", alter_sys=True)
    raise SystemExit(0)

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from bench.lib import machine
from bench.lib.report import Row, as_json, table
from bench.lib.server import GunicornServer
from bench.lib.stats import Measurement, run_interleaved


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (≥ 3 for a reportable figure)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent HTTP connections (default 4)")
    parser.add_argument("--only", default="", help="comma-separated scenario names (their floors are added)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--floor-processes", type=int, default=4, help="psycopg floor processes (default 4)")
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk when installed (auto), or the Python client",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: leave the CPUs to the app)")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="upper bound on requests (or transactions) per measurement"
    )
    parser.add_argument(
        "--rate-ceiling",
        type=int,
        default=3000,
        help="requests/s assumed when pre-generating distinct requests (duration x this)",
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of untimed load per scenario first")
    parser.add_argument(
        "--settings",
        default="bench.settings",
        help="settings module for gunicorn (the /bench/ floor views exist only in bench.settings)",
    )
    parser.add_argument("--keep-tables", action="store_true", help="leave the bench_floor_* tables behind")
    parser.add_argument("--json", dest="json_path", help="also write the results as JSON to this file")
    parser.add_argument(
        "--install-wrk",
        action="store_true",
        help="if wrk is missing, install Debian's wrk with apt-get first (needs root)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0 or args.connections < 1:
        parser.error("--rounds, --duration and --connections must be positive")
    return args


def install_wrk() -> None:
    if shutil.which("wrk"):
        return
    if not shutil.which("apt-get") or os.geteuid() != 0:
        print("--install-wrk: needs root and apt-get; continuing with the Python client", file=sys.stderr)
        return
    print("--install-wrk: apt-get update && apt-get install -y wrk", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=False, timeout=300)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, timeout=300)


def _terminate_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so every ``finally`` stops what it started."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


# One bench run per database at a time: a second run would truncate and drop the first one's floor tables.
RUN_LOCK_KEY = 7_700_701


def database_setup() -> tuple[dict[str, Any], str, Any]:
    """Migrate the bench database, take the run lock, create the floor tables.

    Returns psycopg conninfo, a description of the server, and the connection holding the lock (keep it
    open for the whole run).
    """
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    from bench.lib import tables

    call_command("migrate", interactive=False, verbosity=0)
    params = connection.get_connection_params()
    conninfo = {k: params[k] for k in ("dbname", "user", "password", "host", "port") if params.get(k)}
    lock = psycopg.connect(**conninfo, autocommit=True)
    if not lock.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY]).fetchone()[0]:  # type: ignore[index]
        lock.close()
        raise SystemExit(f"another bench run is using database {conninfo.get('dbname')}; wait for it to finish")
    from sanctuary import db_roles

    with db_roles.as_owner(), connection.cursor() as cursor:  # the floor tables are the owner's, like the schema
        tables.create(cursor)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    where = "embedded" if "EMBEDDED_DATABASE" in connection.settings_dict else "DATABASE_URL"
    described = f"PostgreSQL {version} ({where}, database {conninfo.get('dbname')})"
    connection.close()
    return conninfo, described, lock


def drop_tables() -> None:
    from django.db import connection

    from bench.lib import tables
    from sanctuary import db_roles

    with db_roles.as_owner(), connection.cursor() as cursor:
        tables.drop(cursor)
    connection.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connections

    from bench.scenarios import SCENARIOS, BenchContext, HttpScenario, select

    if args.list:
        for s in SCENARIOS.values():
            floor = f" (floor: {s.floor})" if s.floor else ""
            print(f"{s.name:<15} {s.kind:<8} {s.description}{floor}")
        return 0
    scenarios = select([n.strip() for n in args.only.split(",") if n.strip()])
    if args.install_wrk:
        install_wrk()
    _terminate_on_sigterm()

    info = machine.collect(use_wrk=args.tool != "python")  # load average first, before we add any load
    if args.tool == "wrk" and not shutil.which("wrk"):
        print("--tool wrk: wrk is not installed (try --install-wrk)", file=sys.stderr)
        return 2
    started = time.monotonic()
    conninfo, info.postgres, run_lock = database_setup()
    skipped = {s.name: reason for s in scenarios if (reason := s.unavailable())}
    runnable = [s for s in scenarios if s.name not in skipped]
    ctx = BenchContext(
        run_id=uuid.uuid4().hex[:8],
        duration_s=args.duration,
        connections=args.connections,
        tool=args.tool,
        threads=args.threads,
        max_requests=args.max_requests,
        rate_ceiling=args.rate_ceiling,
        floor_processes=args.floor_processes,
        conninfo=conninfo,
    )
    n_measure = len(runnable) * args.rounds
    print(
        f"bench/http: {len(runnable)} scenario(s) x {args.rounds} rounds x {args.duration:g}s "
        f"(~{n_measure * args.duration / 60:.1f} min of load); run {ctx.run_id}",
        file=sys.stderr,
    )

    summaries: dict[str, Any] = {}
    checks: dict[str, str] = {}
    server = None
    with contextlib.ExitStack() as stack:
        stack.callback(run_lock.close)  # last out: releases the advisory lock
        if not args.keep_tables:
            stack.callback(drop_tables)
        server_env: dict[str, str] = {}
        for s in runnable:
            server_env.update(s.server_env)
            if s.prepare is not None:
                s.prepare(ctx)
        connections.close_all()  # prepare hooks may have connected; the run holds no Django connection
        if any(isinstance(s, HttpScenario) for s in runnable):
            server = stack.enter_context(GunicornServer(settings=args.settings, workers=args.workers, env=server_env))
        ctx.server = server
        for s in runnable:
            if isinstance(s, HttpScenario) and args.warmup > 0:
                s.measure(ctx, -1, duration_s=args.warmup, max_requests=2000)

        def progress(round_index: int, name: str, m: Measurement) -> None:
            extra = f" non-2xx {m.non_2xx}" if m.non_2xx else ""
            print(
                f"  round {round_index + 1}/{args.rounds} {name:<15} {m.rate:8.0f}/s{extra} {m.note}", file=sys.stderr
            )

        variants = {s.name: (lambda r, s=s: s.measure(ctx, r)) for s in runnable}
        summaries = run_interleaved(variants, args.rounds, on_result=progress)
        seen_checks = set()
        for s in runnable:
            if s.check is not None and s.check not in seen_checks:
                seen_checks.add(s.check)
                checks[s.name] = s.check(ctx)
    # The server is stopped (by PID) and the floor tables dropped; its sampler still holds the peaks.
    peaks = server.worker_peaks() if server else []
    master_peak = server.master_peak_mb() if server else 0.0
    info.load_after = machine.load_average()

    rows = [Row(s.name, s.kind, s.floor, s.min_ratio, s.min_rate) for s in runnable]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(
        f"Sanctuary bench/http — {now} — {args.rounds} interleaved rounds x {args.duration:g}s, "
        f"{args.connections} connections, {args.workers} gunicorn sync workers, "
        f"{args.floor_processes} floor processes, total {time.monotonic() - started:.0f}s"
    )
    for line in info.lines():
        print(line)
    print()
    for line in table(rows, summaries):
        print(line)
    for name, reason in skipped.items():
        print(f"{name:<15} skipped: {reason}")
    if peaks:
        per_worker = ", ".join(f"pid {p.pid}: {p.peak_rss_mb:.0f} MB" for p in peaks)
        worst = max(p.peak_rss_mb for p in peaks)
        verdict = "ok" if worst < 150 else "MISS"
        print(
            f"\npeak RSS per gunicorn worker: {per_worker} (max {worst:.0f} MB, target < 150 MB: {verdict}); "
            f"master {master_peak:.0f} MB"
        )
    for name, text in checks.items():
        print(f"check {name}: {text}")
    print(
        "\nratio = median over rounds of (scenario rate / its floor's rate in the same round); "
        "spread = (max - min) / median"
    )
    if args.json_path:
        with open(args.json_path, "w") as handle:
            json.dump(
                {
                    "when": now,
                    "machine": info.lines(),
                    "results": as_json(rows, summaries),
                    "skipped": skipped,
                    "checks": checks,
                    "peak_rss_mb": {str(p.pid): p.peak_rss_mb for p in peaks},
                },
                handle,
                indent=2,
            )
    return 1 if any(text.startswith("MISMATCH") for text in checks.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
