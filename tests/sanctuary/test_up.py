"""``manage.py up``: idempotent set-up, a real gunicorn server, and a clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from tests.sanctuary.helpers import PROJECT_ROOT, FreshDatabase, free_port, fresh_database, wait_until

pytestmark = pytest.mark.slow

COUNT_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
  AND (table_name LIKE 'practice\\_%' OR table_name LIKE 'research\\_%' OR table_name = 'auth_user')
ORDER BY table_name
"""


def row_counts(db: FreshDatabase) -> dict[str, int]:
    with db.connect() as conn:
        tables = [row[0] for row in conn.execute(COUNT_TABLES)]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


# Loopback only: never route through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str) -> tuple[int, bytes]:
    try:
        with _opener.open(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except urllib.error.URLError:
        return 0, b""


def test_up_no_serve_sets_up_an_empty_database_and_is_idempotent(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as db:
        first = db.manage("up", "--no-serve")
        assert first.returncode == 0, first.stderr
        assert "demo data: loaded" in first.stdout
        assert "admin" in first.stdout
        counts = row_counts(db)
        assert counts["auth_user"] >= 1

        second = db.manage("up", "--no-serve")
        assert second.returncode == 0, second.stderr
        if settings.DEMO_FIXTURES:
            assert "already has data, nothing loaded" in second.stdout
        assert row_counts(db) == counts
        if db.server is not None:
            assert wait_until(lambda: not db.server.postmaster_processes(), timeout=15)


def test_up_serves_with_gunicorn_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    with fresh_database(tmp_path) as db:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "up", "--port", str(port), "--workers", "1"],
            cwd=PROJECT_ROOT,
            env=db.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            assert wait_until(lambda: get(f"{base}/health/")[0] == 200, timeout=120, interval=0.25), proc.stdout
            ready_after = time.monotonic() - started
            print(f"up reached /health/ in {ready_after:.1f}s")
            status, body = get(f"{base}/health/")
            assert b'"database": "ok"' in body
            assert get(f"{base}/admin/login/")[0] == 200
            children = psutil.Process(proc.pid).children(recursive=True)
            assert any("gunicorn" in " ".join(c.cmdline()) for c in children)

            if db.server is not None:
                # The real thing: the database goes away under a running server.
                db.server.stop()
                status, body = get(f"{base}/health/")
                assert status == 503
                assert b'"database": "unavailable"' in body
        finally:
            proc.send_signal(signal.SIGTERM)
            returncode = proc.wait(timeout=60)
        assert returncode == 0
        assert wait_until(
            lambda: not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children), timeout=15
        )
        if db.server is not None:
            assert wait_until(lambda: not db.server.postmaster_processes(), timeout=15)
