"""Helpers for tests that run the project in subprocesses against a throwaway database."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from sanctuary.devdb import EmbeddedPostgres

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


@dataclass
class FreshDatabase:
    """A database nobody else uses: a new embedded data dir, or a new database on DATABASE_URL's server."""

    env: dict[str, str]
    server: EmbeddedPostgres | None
    conninfo: str | None

    @contextlib.contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        """A connection; on the embedded server this process is an owner until it is closed."""
        if self.server is None:
            assert self.conninfo is not None
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                yield conn
            return
        self.server.ensure_running()
        try:
            with psycopg.connect(
                host=str(self.server.socket_dir), user="postgres", dbname="sanctuary", autocommit=True
            ) as conn:
                yield conn
        finally:
            self.server.release()

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@contextlib.contextmanager
def fresh_database(tmp_path: Path) -> Iterator[FreshDatabase]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env["DJANGO_SETTINGS_MODULE"] = "sanctuary.settings.local"
    url = os.environ.get("DATABASE_URL")
    if url:
        name = f"sanctuary_t_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        base = url.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{name}"
        try:
            yield FreshDatabase(env=env, server=None, conninfo=env["DATABASE_URL"])
        finally:
            with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        return
    server = EmbeddedPostgres(tmp_path / "pgdata")
    env["SANCTUARY_PGDATA"] = str(server.pgdata)
    try:
        yield FreshDatabase(env=env, server=server, conninfo=None)
    finally:
        server.stop()
