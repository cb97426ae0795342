"""``python -m bench.faults [--quick] [--database-url URL --server-log FILE]``: every fault drill in turn.

``--quick`` (what ``.ci/run`` runs) shortens each; ``--database-url`` runs the drills that do not restart the
server (kill_gunicorn, canary_scan) on a scratch database of that server as well. Exits 1 if any drill misses
its target.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.faults import canary_scan, kill_gunicorn, pg_restart, postmaster_kill


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url")
    parser.add_argument("--server-log")
    args = parser.parse_args(argv)
    drills: list[tuple[str, object, list[str]]] = [
        ("kill_gunicorn", kill_gunicorn, ["--kills", "5"] if args.quick else []),
        ("pg_restart", pg_restart, ["--rounds", "1"] if args.quick else []),
        ("postmaster_kill", postmaster_kill, ["--kills", "2"] if args.quick else []),
        ("canary_scan", canary_scan, []),
    ]
    if args.database_url:
        external = ["--database-url", args.database_url]
        drills += [
            ("kill_gunicorn (DATABASE_URL)", kill_gunicorn, [*external, *(["--kills", "5"] if args.quick else [])]),
            (
                "canary_scan (DATABASE_URL)",
                canary_scan,
                [*external, *(["--server-log", args.server_log] if args.server_log else [])],
            ),
        ]
    failed = []
    for name, module, drill_args in drills:
        started = time.monotonic()
        code = module.main(drill_args)  # type: ignore[attr-defined]
        print(f"  ({name}: {time.monotonic() - started:.0f}s, {'ok' if code == 0 else 'MISSED'})", flush=True)
        if code:
            failed.append(name)
    print(
        f"fault drills: {len(drills) - len(failed)} of {len(drills)} met their targets"
        + (f"; missed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
