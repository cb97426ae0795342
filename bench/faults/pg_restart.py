"""``python -m bench.faults.pg_restart``: restart PostgreSQL under read load and count the answers: a database
outage must be a 503 (with ``Retry-After``), never a 500, and the app must answer 200 again by itself.

Readers hit the therapist API, an admin page (signed in) and ``/health/`` while the drill, in turn, restarts
the server (``pg_ctl restart -m fast``), stops it hard (``pg_ctl stop -m immediate``: the watchdog brings it
back) and terminates every app connection (``pg_terminate_backend``). Runs on a private embedded server only:
it restarts the server. Prints the answers per status and the longest gap without a 200; exits 1 on any 500.
"""

from __future__ import annotations

import argparse
import collections
import http.cookiejar
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from bench.faults.common import DEMO_PASSWORD, App, private_app

READS = ("/api/v1/patients/", "/api/v1/appointments/", "/api/v1/dashboard/financial-summary/", "/health/")
ADMIN_PAGES = ("/admin/", "/admin/practice/patient/")


def admin_opener(app: App) -> urllib.request.OpenerDirector:
    """A signed-in browser: the login form's CSRF token, then its POST (manager, a demo login)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(app.base + "/admin/login/", timeout=10).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf.group(1), "username": "manager", "password": DEMO_PASSWORD, "next": "/admin/"}
    ).encode()
    opener.open(
        urllib.request.Request(app.base + "/admin/login/", data=form, headers={"Referer": app.base + "/admin/login/"}),
        timeout=10,
    )
    return opener


def _admin_get(opener: urllib.request.OpenerDirector, url: str) -> int:
    try:
        with opener.open(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults.pg_restart", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="each round: restart, hard stop, terminate")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the private app's directory (its logs)")
    args = parser.parse_args(argv)

    with private_app(keep=args.keep) as app:
        progress("serving")
        app.serve()
        token = app.login()
        opener = admin_opener(app)
        stop = threading.Event()
        answers: collections.Counter[str] = collections.Counter()
        missing_retry_after = [0]
        last_ok = [time.monotonic()]
        longest_gap = [0.0]
        lock = threading.Lock()

        def reader(i: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                if i == 0:
                    status, kind = _admin_get(opener, app.base + ADMIN_PAGES[n % len(ADMIN_PAGES)]), "admin"
                else:
                    answer = app.get(READS[n % len(READS)], token=token, timeout=5)
                    status, kind = answer.status, "api"
                    if status == 503 and "Retry-After" not in answer.headers:
                        missing_retry_after[0] += 1
                with lock:
                    answers[f"{kind} {status}"] += 1
                    now = time.monotonic()
                    if status == 200:
                        longest_gap[0] = max(longest_gap[0], now - last_ok[0])
                        last_ok[0] = now
                # The API readers stay under the therapist rate limit (600/min per user): a 429 says nothing here.
                time.sleep(0.02 if i == 0 else 0.35)

        threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(args.readers)]
        for thread in threads:
            thread.start()
        server, user = app.server, app.server._run_as()
        for n in range(args.rounds):
            time.sleep(2)
            progress(f"round {n + 1}: pg_ctl restart -m fast")
            # -l: the new postmaster writes to the server's log, not to pipes this script would wait on.
            _pg_ctl(app, user, "-l", str(server.log_file), "-m", "fast", "restart")
            time.sleep(2)
            progress(f"round {n + 1}: pg_ctl stop -m immediate (the watchdog restarts it)")
            _pg_ctl(app, user, "-m", "immediate", "stop")
            time.sleep(3)
            progress(f"round {n + 1}: pg_terminate_backend of every app connection")
            app.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'sanctuary' AND pid <> pg_backend_pid()"
            )
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    errors = {k: v for k, v in answers.items() if k.endswith(" 500")}
    print(
        f"pg_restart: {args.rounds} × (restart, hard stop, terminate) under {args.readers} readers: answers "
        f"{dict(sorted(answers.items()))}; 500s {sum(errors.values())}; 503s without Retry-After "
        f"{missing_retry_after[0]}; longest gap without a 200 {longest_gap[0]:.1f}s"
    )
    return 1 if errors or missing_retry_after[0] or not answers.get("api 200") else 0


def _pg_ctl(app: App, user: str | None, *args: str) -> None:
    """pg_ctl on the private server; its output goes to a file (a pipe would be held open by the postmaster)."""
    with open(app.workdir / "pg_ctl.log", "ab") as out:
        result = subprocess.run(
            [_bin("pg_ctl"), "-D", str(app.server.pgdata), "-w", "-t", "60", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            user=user,
            timeout=90,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"pg_ctl {' '.join(args)} failed:\n{(app.workdir / 'pg_ctl.log').read_text()[-2000:]}")


def progress(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _bin(name: str) -> str:
    from sanctuary.devdb import _bin as devdb_bin

    return devdb_bin(name)


if __name__ == "__main__":
    sys.exit(main())
