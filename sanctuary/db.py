"""Database helpers that Django's ORM and cursor do not offer."""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import Any

from django.db import connection

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class PreparedStatement:
    """One SQL statement PREPAREd once per database connection and EXECUTEd by name after that.

    Django binds parameters on the client (pghistory's statement prefix needs that, and Django disables
    psycopg's automatic preparation), so PostgreSQL parses and plans every statement afresh, and psycopg
    re-scans a statement over 4 KB for placeholders on every call. For the event write that every webhook,
    beacon and survey runs (a 7 KB statement with data-modifying CTEs) that was most of its cost: about
    2 ms a call against 0.6 ms prepared (bench/RESULTS.md, 2026-11-22). Here the statement, written with
    ``%(name)s`` placeholders and a declared PostgreSQL type for each, is turned into ``PREPARE name (types)
    AS ... $1 ...`` once per connection (connections persist: CONN_MAX_AGE), and each call sends only the
    short ``EXECUTE name (...)`` through Django's cursor: the current transaction, Django's errors, query
    logging and execute wrappers all apply to it as to any query.

    The ``PREPARE`` goes straight to the connection (it is set-up, not a statement of the request, and not
    transactional: a rolled-back transaction keeps it). It is per session, so it does not survive a
    transaction-pooling proxy such as PgBouncer in transaction mode; Sanctuary connects directly.
    """

    def __init__(self, name: str, sql: str, types: Mapping[str, str]) -> None:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a plain SQL name: {name!r}")
        order: list[str] = []

        def number(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in order:
                order.append(key)
            return f"${order.index(key) + 1}"

        body = _PLACEHOLDER.sub(number, sql)
        if missing := [key for key in order if key not in types]:
            raise ValueError(f"no PostgreSQL type declared for {', '.join(missing)}")
        if "%" in body:
            raise ValueError("only %(name)s placeholders are supported (no literal %)")
        self.name = name
        self.order = tuple(order)
        self.prepare_sql = f"PREPARE {name} ({', '.join(types[key] for key in order)}) AS {body}"
        self.execute_sql = f"EXECUTE {name} ({', '.join(['%s'] * len(order))})"
        self._prepared_on: weakref.WeakSet[Any] = weakref.WeakSet()

    def fetchone(self, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Execute with ``params`` (by placeholder name) and return the first row."""
        with connection.cursor() as cursor:
            raw = connection.connection
            if raw not in self._prepared_on:
                with connection.wrap_database_errors, raw.cursor() as setup:
                    setup.execute(self.prepare_sql)
                self._prepared_on.add(raw)
            cursor.execute(self.execute_sql, [params[key] for key in self.order])
            return cursor.fetchone()
