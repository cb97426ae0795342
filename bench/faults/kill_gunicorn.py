"""``python -m bench.faults.kill_gunicorn``: kill -9 gunicorn (master and workers) again and again while clients
create patients, retrying every request that got no answer, as a careful client would.

Each client sends every create with an ``Idempotency-Key`` and, when the answer does not arrive (reset,
refused, a 503), sends the very same request again until it gets one. Afterwards every acknowledged create
must be in the database (no acknowledged write lost) and no create may be there twice (0 duplicates).
``--without-keys`` runs the same clients without the header: the duplicates it prints are what the key
prevents. Prints one line of figures; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import collections
import sys
import threading
import time
import uuid

from bench.faults.common import App, auth, private_app


def _client(
    app: App,
    token: str,
    name: str,
    stop: threading.Event,
    keyed: bool,
    acknowledged: list[str],
    counts: collections.Counter[str],
) -> None:
    for n in range(1_000_000):
        if stop.is_set():
            return
        last_name = f"{name}-{n:05d}"
        headers = auth(token) | ({"Idempotency-Key": str(uuid.uuid4())} if keyed else {})
        body = {"first_name": "Fault", "last_name": last_name}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = app.request("POST", "/api/v1/patients/", body, headers=headers, timeout=5)
            counts[str(answer.status)] += 1
            if answer.status == 201:
                acknowledged.append(last_name)
                break
            if answer.status not in (0, 502, 503):
                print(f"unexpected answer {answer.status}: {answer.body[:200]!r}", file=sys.stderr)
                stop.set()
                return
            time.sleep(0.05)  # retry the same request: no answer says nothing about whether it happened
        else:
            return  # never answered: not acknowledged, and the drill's tally shows the gap


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults.kill_gunicorn", description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--interval", type=float, default=0.7, help="seconds between kills")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--without-keys", action="store_true")
    parser.add_argument("--database-url", help="run on a scratch database of this server, not an embedded one")
    args = parser.parse_args(argv)

    with private_app(database_url=args.database_url) as app:
        app.serve(with_up=False)
        token = app.login()
        stop = threading.Event()
        acknowledged: list[str] = []
        counts: collections.Counter[str] = collections.Counter()
        clients = [
            threading.Thread(
                target=_client,
                daemon=True,
                args=(app, token, f"c{i}", stop, not args.without_keys, acknowledged, counts),
            )
            for i in range(args.clients)
        ]
        for thread in clients:
            thread.start()
        killed, restart_seconds = 0, []
        for _ in range(args.kills):
            time.sleep(args.interval)
            killed += app.kill_server()
            app.serve(with_up=False)  # what a supervisor (systemd, the container runtime) does
            restart_seconds.append(app.wait_healthy())
        time.sleep(args.interval)
        stop.set()
        for thread in clients:
            thread.join(timeout=90)
        app.stop()
        rows = app.sql("SELECT last_name, count(*) FROM practice_patient WHERE first_name = 'Fault' GROUP BY 1")
    present = {name: count for name, count in rows}
    lost = sorted(set(acknowledged) - set(present))
    duplicates = sorted(name for name, count in present.items() if count > 1)
    print(
        f"kill_gunicorn: {args.kills} kills ({killed} processes), {args.clients} clients "
        f"{'without' if args.without_keys else 'with'} Idempotency-Key: {len(acknowledged)} creates acknowledged, "
        f"{len(present)} present, lost {len(lost)}, duplicates {len(duplicates)}; answers {dict(counts)}; "
        f"restart to healthy {max(restart_seconds):.1f}s at most"
    )
    if args.without_keys:
        return 0
    return 1 if lost or duplicates or not acknowledged else 0


if __name__ == "__main__":
    sys.exit(main())
