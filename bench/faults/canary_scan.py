"""``python -m bench.faults.canary_scan``: a hostile run that pushes one unique "canary" string through every path
where patient data could leak into a log, then searches every log for it (target: 0 hits).

The run, under ``manage.py up`` with its logs captured: a patient named with the canary; a name search for
it (API and the admin's search box); concurrent bookings of one slot whose private notes carry it, so the
losers reach the database's exclusion constraint (PostgreSQL used to log the failed INSERT, values
included); a session note with it, signed, then edited (the lock refuses); bodies that fail validation with
it; and an unsubscribe link for an address containing it. The logs: gunicorn's access log and Django's
(one file), PostgreSQL's and the watchdog's. Prints the hits per log; exits 1 on any.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.faults.common import App, auth, log_files, private_app
from bench.faults.pg_restart import admin_opener, progress


def _hostile_run(app: App, canary: str) -> dict[str, int]:
    token = app.login()
    headers = auth(token)
    seen: dict[str, int] = {}

    def post(path: str, body: object, *, method: str = "POST") -> int:
        status = app.request(method, path, body, headers=headers).status
        label = f"{method} {re.sub(r'[0-9a-f-]{36}', '{id}', path.removeprefix('/api/v1'))} {status}"
        seen[label] = seen.get(label, 0) + 1
        return status

    created = app.request(
        "POST",
        "/api/v1/patients/",
        {
            "first_name": canary,
            "last_name": f"Lark{canary}",
            "notes": f"history {canary}",
            "emergency_contact_name": f"Kin {canary}",
            "email": f"{canary.lower()}@example.test",
        },
        headers=headers,
    )
    assert created.status == 201, created.body
    patient = created.json()["id"]
    post("/api/v1/patients/search/", {"query": canary})
    # Bodies that fail validation, carrying the canary.
    post("/api/v1/patients/", {"first_name": canary, "last_name": "X", "email": f"not-an-email-{canary}"})
    post("/api/v1/patients/", {"first_name": f"{canary}\u0007", "last_name": "X"})
    post("/api/v1/patients/", {"first_name": canary, "last_name": "X", "extra": canary})
    post("/api/v1/patients/", f'{{"first_name": "{canary}", '.encode() + b"[" * 100)
    post(
        "/api/v1/session-notes/",
        {"patient": patient, "session_date": "2030-01-01", "content": canary, "tags": [canary, {"no": canary}]},
    )
    # The booking race: one slot, eight concurrent bookings; the losers reach the exclusion constraint.
    start = (datetime.now(tz=UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0).isoformat()
    barrier = threading.Barrier(8)

    def book() -> None:
        barrier.wait()
        post(
            "/api/v1/appointments/",
            {
                "patient": patient,
                "scheduled_start": start,
                "private_notes": f"private {canary}",
                "preparation_notes": canary,
            },
        )

    racers = [threading.Thread(target=book) for _ in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    # A note, signed, then edited: the lock refuses in the database.
    note = app.request(
        "POST",
        "/api/v1/session-notes/",
        {"patient": patient, "session_date": "2030-01-02", "content": f"note {canary}"},
        headers=headers,
    ).json()
    post(f"/api/v1/session-notes/{note['id']}/sign/", {})
    post(f"/api/v1/session-notes/{note['id']}/", {"content": f"changed {canary}"}, method="PATCH")
    # The admin's search box, and the patient's pages, signed in.
    opener = admin_opener(app)
    search = f"/admin/practice/patient/?q={urllib.parse.quote(canary)}"
    for path in (search, f"/admin/practice/patient/{patient}/change/"):
        with opener.open(app.base + path, timeout=10) as response:
            seen[f"admin {response.status}"] = seen.get(f"admin {response.status}", 0) + 1
    # An unsubscribe link for an address that carries the canary (the token is in the URL, and the log).
    link = (
        app.manage(
            "shell",
            "-c",
            (
                "from research.tokens import unsubscribe_token_make; "
                f"print(unsubscribe_token_make(email='{canary.lower()}@example.test'))"
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    for method in ("GET", "POST"):
        status = app.request(method, f"/research/unsubscribe/{link}/", b"" if method == "POST" else None).status
        seen[f"unsubscribe {method} {status}"] = 1
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults.canary_scan", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="run on a scratch database of this server")
    parser.add_argument(
        "--server-log",
        type=Path,
        help="that server's log file (e.g. /var/log/postgresql/postgresql-15-main.log): what the run "
        "appends to it is scanned too",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    server_log_start = args.server_log.stat().st_size if args.server_log else 0
    canary = "Canary" + secrets.token_hex(6)
    pattern = re.compile(re.escape(canary), re.IGNORECASE)
    with private_app(database_url=args.database_url, keep=args.keep) as app:
        progress(f"serving; the canary is {canary}")
        app.serve()
        answers = _hostile_run(app, canary)
        app.stop()
        postgres_log = app.server.log_file if not app.database_url else None
        constraint_errors = (
            postgres_log.read_text(errors="replace").count("violates exclusion constraint")
            if postgres_log and postgres_log.exists()
            else None
        )
        hits: dict[str, int] = {}
        texts = {path.name: path.read_text(errors="replace") for path in log_files(app)}
        if args.server_log:
            with open(args.server_log, "rb") as server_log:
                server_log.seek(server_log_start)
                texts[args.server_log.name] = server_log.read().decode(errors="replace")
            constraint_errors = texts[args.server_log.name].count("violates exclusion constraint")
        for name, text in texts.items():
            # Also URL-decoded: a query string or a path would carry it percent-encoded.
            found = len(pattern.findall(text)) + len(pattern.findall(urllib.parse.unquote(text)))
            hits[name] = found
            if found:
                for line in text.splitlines():
                    if pattern.search(line) or pattern.search(urllib.parse.unquote(line)):
                        print(f"  {name}: {line[:300]}", file=sys.stderr)
    print(
        f"canary_scan: answers {dict(sorted(answers.items()))}; booking-race errors PostgreSQL logged "
        f"(message only) {constraint_errors}; canary hits per log {hits}"
    )
    return 1 if any(hits.values()) or not hits else 0


if __name__ == "__main__":
    sys.exit(main())
