"""Database helpers that Django's ORM and cursor do not offer."""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

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


class QueryTemplate:
    """A queryset *shape* compiled to SQL once per process, then run with new values in its parameter slots.

    Building and compiling a Django queryset with annotations, subqueries and filtered aggregates costs
    milliseconds of Python on every call – issue 7 measured 2–6 ms for the dashboard selectors, more than
    PostgreSQL needed to run them – although the SQL only depends on the queryset's shape, not on the
    therapist or the time it is asked for. A template calls ``build`` once with a *sentinel* value for each
    slot, compiles the result with Django's own compiler, finds every sentinel among the compiled
    parameters, and from then on only copies the parameter list with the caller's values in those
    positions (SQLAlchemy's compiled cache does the same for its statements). Rows come back as
    ``values()`` dicts, through the compiler's own converters.

    ``build`` must return an unsliced ``values()`` queryset whose every slot reaches the SQL as a parameter
    of its own, unchanged (a value Django rewrites, such as the pattern an ``icontains`` lookup makes, is
    not found and is refused at compile time); the callers pass a ``LIKE`` pattern as its own slot instead.
    Values are checked against the slot's type when bound, since Django's per-field conversion of lookup
    values is skipped: pass ``therapist.pk``, not the therapist, and aware datetimes.

    ``count_build`` (default: ``build`` without its ordering) gives the rows that ``count()`` counts; it
    receives the slots named in ``count_slots`` (required with a ``count_build``; every slot for the default),
    and each must reach its SQL as ``build``'s do.
    """

    _SENTINELS: dict[type, Callable[[int], Any]] = {
        UUID: lambda n: UUID(int=(0x5E17 << 112) + n),
        datetime: lambda n: datetime(2999, 12, 31, 23, 59, 59, n, tzinfo=UTC),
        date: lambda n: date(2999, 1, 1) + timedelta(days=n),
        str: lambda n: f"\x00sanctuary-slot-{n}",
    }
    _counter = itertools.count(1)

    def __init__(
        self,
        build: Callable[..., QuerySet[Any, Any]],
        *,
        slots: Mapping[str, type],
        count_build: Callable[..., QuerySet[Any, Any]] | None = None,
        count_slots: Iterable[str] | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        if unsupported := [name for name, kind in slots.items() if kind not in self._SENTINELS]:
            raise TypeError(f"slots of unsupported types: {', '.join(unsupported)}")
        if count_build is not None and count_slots is None:
            raise TypeError("a count_build needs its count_slots (the slots it takes)")
        self.build = build
        self.count_build = count_build or (lambda **values: build(**values).order_by())
        self.count_slots = tuple(slots) if count_slots is None else tuple(count_slots)
        if unknown := set(self.count_slots) - set(slots):
            raise TypeError(f"count_slots names no slot: {', '.join(sorted(unknown))}")
        self.slots = dict(slots)
        self.using = using
        self._rows: _Compiled | None = None
        self._count: _Compiled | None = None

    def _sentinels(self) -> dict[str, Any]:
        return {name: self._SENTINELS[kind](next(self._counter)) for name, kind in self.slots.items()}

    @property
    def compiled_rows(self) -> _Compiled:
        if self._rows is None:
            sentinels = self._sentinels()
            self._rows = _Compiled.of(self.build(**sentinels), sentinels, self.using)
        return self._rows

    @property
    def compiled_count(self) -> _Compiled:
        if self._count is None:
            sentinels = {name: value for name, value in self._sentinels().items() if name in self.count_slots}
            self._count = _Compiled.of(self.count_build(**sentinels), sentinels, self.using, count=True)
        return self._count

    def bind(self, **values: Any) -> BoundQuery:
        if missing := set(self.slots) - set(values):
            raise TypeError(f"no value for {', '.join(sorted(missing))}")
        if extra := set(values) - set(self.slots):
            raise TypeError(f"no slot named {', '.join(sorted(extra))}")
        for name, value in values.items():
            kind = self.slots[name]
            if not isinstance(value, kind) or (kind is date and isinstance(value, datetime)):
                raise TypeError(f"{name} must be a {kind.__name__}, not {type(value).__name__}")
            if isinstance(value, datetime) and value.tzinfo is None:
                raise TypeError(f"{name} must be an aware datetime")
        return BoundQuery(self, values)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (parameter position, slot name)
    names: tuple[str, ...]
    compiler: Any

    @classmethod
    def of(
        cls, queryset: QuerySet[Any, Any], sentinels: Mapping[str, Any], using: str, *, count: bool = False
    ) -> _Compiled:
        query = queryset.query
        if query.is_sliced:
            raise ValueError("a query template must not be sliced (rows() pages it)")
        if not count and not issubclass(queryset._iterable_class, ValuesIterable):
            raise ValueError("a query template must be a values() queryset")
        # Django 6.1's compiler API (get_compiler, as_sql, the compiler's converters in rows()) and Query's
        # selected/values_select/annotation_select; canary: tests/sanctuary/test_upstream_canaries.py.
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        positions = []
        for index, param in enumerate(params):
            for name, sentinel in sentinels.items():
                if type(param) is type(sentinel) and param == sentinel:
                    positions.append((index, name))
        if unused := set(sentinels) - {name for _, name in positions}:
            raise ValueError(f"slots not found among the compiled parameters: {', '.join(sorted(unused))}")
        if count:
            counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608 (Django-compiled SQL, params bound)
            return cls(counted, tuple(params), tuple(positions), (), None)
        names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
        return cls(sql, tuple(params), tuple(positions), names, compiler)

    def params_for(self, values: Mapping[str, Any]) -> list[Any]:
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        return params


class BoundQuery:
    """A template with its values: ``count()``, slicing (one page: ``LIMIT``/``OFFSET``) and iteration, so
    Django's ``Paginator`` (and DRF's pagination) can page it like a queryset. Each of these runs its
    statement: keep the page a slice returns rather than indexing the bound query row by row. There is no
    ``len()`` (``list()`` would run a count before the rows): ask ``count()``."""

    ordered = True  # the templates order their rows; tells Paginator not to warn

    def __init__(self, template: QueryTemplate, values: Mapping[str, Any]) -> None:
        self.template = template
        self.values = values

    def count(self) -> int:
        compiled = self.template.compiled_count
        with connections[self.template.using].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params_for(self.values))
            return int(cursor.fetchone()[0])

    def sql(self, *, limit: int | None = None, offset: int = 0) -> tuple[str, list[Any]]:
        """The statement ``rows()`` runs, and its parameters (for EXPLAIN)."""
        compiled = self.template.compiled_rows
        sql, params = compiled.sql, compiled.params_for(self.values)
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        if offset:
            sql += " OFFSET %s"
            params.append(offset)
        return sql, params

    def rows(self, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        compiled = self.template.compiled_rows
        sql, params = self.sql(limit=limit, offset=offset)
        with connections[self.template.using].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in compiled.compiler.results_iter(results=[fetched])]

    def first(self) -> dict[str, Any] | None:
        rows = self.rows(limit=1)
        return rows[0] if rows else None

    @overload
    def __getitem__(self, item: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, item: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, item: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(item, int):
            if item < 0:
                raise IndexError("a bound query has no negative indexes")
            rows = self.rows(limit=1, offset=item)
            if not rows:
                raise IndexError(item)
            return rows[0]
        start, stop = item.start or 0, item.stop
        if item.step is not None or start < 0 or (stop is not None and stop < start):
            raise TypeError("a bound query supports plain slices only: rows[start:stop]")
        return self.rows(limit=None if stop is None else stop - start, offset=start)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())
