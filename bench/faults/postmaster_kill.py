"""``python -m bench.faults.postmaster_kill``: kill -9 the embedded PostgreSQL's postmaster under ``manage.py up``
and time how long until the API answers 200 again, without restarting ``up`` (target: under 5 s); then stop
and start the server from outside (``pg_ctl``), SIGKILL ``up`` itself and count what is left (target: no
postgres process, no watchdog).

Runs on a private embedded server only. Prints the figures; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

import psutil

from bench.faults.common import App, private_app
from bench.faults.pg_restart import _pg_ctl, progress

RECOVERY_TARGET_SECONDS = 5.0


def _first_200_after(app: App, token: str, since: float, timeout: float = 60) -> float:
    while time.monotonic() - since < timeout:
        if app.get("/api/v1/patients/", token=token, timeout=2).status == 200:
            return time.monotonic() - since
        time.sleep(0.05)
    return float("inf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults.postmaster_kill", description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args(argv)

    with private_app() as app:
        progress("serving with manage.py up")
        app.serve()
        token = app.login()
        statuses: dict[int, int] = {}
        stop = threading.Event()

        def reader() -> None:
            while not stop.is_set():
                status = app.get("/api/v1/patients/", token=token, timeout=2).status
                statuses[status] = statuses.get(status, 0) + 1
                time.sleep(0.2)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        recoveries = []
        for n in range(args.kills):
            time.sleep(1.5)
            pid = app.server.status().pid
            progress(f"kill {n + 1}: SIGKILL postmaster {pid}")
            killed_at = time.monotonic()
            psutil.Process(pid).send_signal(signal.SIGKILL)
            recoveries.append(_first_200_after(app, token, killed_at))
        stop.set()
        thread.join(timeout=10)

        progress("an outside stop and start (pg_ctl), then SIGKILL of `up`")
        user = app.server._run_as()
        _pg_ctl(app, user, "-m", "fast", "stop")
        # As an operator would start it: the embedded server's socket, no TCP (5432 is the machine's server).
        options = f"-h '' -k {app.server.socket_dir} -p 5432"
        _pg_ctl(app, user, "-l", str(app.server.log_file), "-o", options, "start")
        assert app.process is not None
        up_alive = app.process.poll() is None
        app.process.send_signal(signal.SIGKILL)
        app.process.wait(timeout=10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (app.postgres_processes() or app.server._watchdog_alive()):
            time.sleep(0.2)
        left, watchdog_left = len(app.postgres_processes()), app.server._watchdog_alive()
    worst = max(recoveries)
    print(
        f"postmaster_kill: {args.kills} kills of the postmaster under `up`: 200 again after "
        f"{', '.join(f'{r:.1f}s' for r in recoveries)} (target < {RECOVERY_TARGET_SECONDS:.0f}s; `up` kept "
        f"running: {up_alive}); answers while down {dict(sorted(statuses.items()))}; after pg_ctl stop/start "
        f"and SIGKILL of `up`: {left} postgres processes and {'a' if watchdog_left else 'no'} watchdog left"
    )
    return 0 if worst < RECOVERY_TARGET_SECONDS and up_alive and left == 0 and not watchdog_left else 1


if __name__ == "__main__":
    sys.exit(main())
