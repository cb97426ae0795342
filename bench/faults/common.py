"""A private Sanctuary for the fault drills: its own database, ``manage.py up`` (or bare gunicorn) on a free
127.0.0.1 port, every log in one directory, and a tidy stop.

The database is an embedded PostgreSQL in a temporary data directory (``SANCTUARY_PGDATA``), so a drill may
kill or restart it without touching anyone's server; with ``--database-url`` the drills that do not touch the
server itself run on a scratch database of that server instead (created, then dropped).
Nothing here talks to anything but 127.0.0.1 and the local socket.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.lib.server import PROJECT_ROOT, free_port

DEMO_THERAPIST, DEMO_PASSWORD = "sarah", "sanctuary-demo"


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timed out)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class App:
    """One private Sanctuary. ``prepare()`` migrates and loads the demo practice, ``serve()`` starts it."""

    def __init__(self, workdir: Path, *, database_url: str | None = None, workers: int = 2) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log_path = workdir / "app.log"
        self.pgdata = workdir / "pgdata"
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        self.env.update({"DJANGO_SETTINGS_MODULE": "sanctuary.settings.local", "PYTHONUNBUFFERED": "1"})
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env["SANCTUARY_PGDATA"] = str(self.pgdata)
            self.env.pop("SANCTUARY_PG_FAST", None)  # durable, as under `up`: a kill must not lose commits
        self.process: subprocess.Popen[bytes] | None = None
        self._log = open(self.log_path, "ab")

    # -- lifecycle -------------------------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self._log.write(result.stdout.encode() + result.stderr.encode())
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        self.manage("up", "--no-serve")

    def serve(self, *, with_up: bool = True) -> None:
        """``manage.py up`` (the README's way), or bare gunicorn when a drill kills and restarts it."""
        if with_up:
            argv = [sys.executable, "manage.py", "up", "--port", str(self.port), "--workers", str(self.workers)]
        else:
            argv = [
                sys.executable,
                "-m",
                "gunicorn",
                "sanctuary.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--config",
                "python:sanctuary.gunicorn_conf",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
                "--timeout",
                "30",
            ]
        self.process = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env={**self.env, "DJANGO_DEBUG": "false"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 120) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            if self.get("/health/", timeout=2).status == 200:
                return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"no healthy answer in {timeout:.0f}s; see {self.log_path}")

    def kill_server(self) -> int:
        """SIGKILL the server and every process of its session (gunicorn's master and workers)."""
        assert self.process is not None
        victims = [psutil.Process(self.process.pid), *psutil.Process(self.process.pid).children(recursive=True)]
        for victim in victims:
            with contextlib.suppress(psutil.NoSuchProcess):
                victim.kill()
        psutil.wait_procs(victims, timeout=10)
        self.process.wait(timeout=10)
        return len(victims)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_server()

    def postgres_processes(self) -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter(["name", "cmdline"]):
            with contextlib.suppress(psutil.Error):
                if proc.info["name"] == "postgres" and str(self.pgdata) in " ".join(proc.info["cmdline"] or []):
                    found.append(proc)
        return found

    def close(self) -> None:
        self.stop()
        if not self.database_url:
            subprocess.run(
                [sys.executable, "manage.py", "devdb", "stop"],
                cwd=PROJECT_ROOT,
                env=self.env,
                capture_output=True,
                timeout=60,
                check=False,
            )
        self._log.close()

    # -- HTTP ------------------------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None, timeout: float = 10
    ) -> Answer:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        sent = {"Content-Type": "application/json", **(headers or {})}
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers))
        except (OSError, http.client.HTTPException):
            return Answer(0)

    def get(self, path: str, *, token: str | None = None, timeout: float = 10) -> Answer:
        return self.request("GET", path, headers=auth(token), timeout=timeout)

    def login(self, username: str = DEMO_THERAPIST, password: str = DEMO_PASSWORD) -> str:
        answer = self.request("POST", "/api/v1/auth/login/", {"username": username, "password": password})
        if answer.status != 201:
            raise RuntimeError(f"login failed: {answer.status} {answer.body[:200]!r}")
        return str(answer.json()["token"])

    # -- the database, as its owner ----------------------------------------------------------------------------

    def sql(self, statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        import psycopg

        if not self.database_url:
            self.server.ensure_running()  # this process becomes an owner: the server stays up for it
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def conninfo(self) -> str:
        if self.database_url:
            return self.database_url
        return f"host={self.server.socket_dir} port=5432 user=postgres dbname=sanctuary"

    @property
    def server(self) -> Any:
        from sanctuary.devdb import EmbeddedPostgres

        return EmbeddedPostgres(self.pgdata)


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Token {token}"} if token else {}


@contextlib.contextmanager
def private_app(*, database_url: str | None = None, workers: int = 2, keep: bool = False) -> Iterator[App]:
    """A prepared private app in a temporary directory; its scratch database is dropped afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="sanctuary-fault-"))
    scratch = None
    if database_url:
        import psycopg
        from psycopg import sql

        scratch = f"sanctuary_fault_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(database_url, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        database_url = f"{database_url.rsplit('/', 1)[0]}/{scratch}"
    app = App(workdir, database_url=database_url, workers=workers)
    try:
        app.prepare()
        yield app
    finally:
        app.close()
        if scratch and database_url:
            import psycopg
            from psycopg import sql

            with psycopg.connect(database_url, dbname="postgres", autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
        if not keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}")


def log_files(app: App) -> list[Path]:
    """Every log the drill's app wrote: gunicorn's and Django's (one file), PostgreSQL's, the watchdog's."""
    files = [app.log_path]
    if not app.database_url:
        files += sorted(app.server.state_dir.glob("*.log"))
    return [f for f in files if f.exists()]
