"""``python -m bench.queries``: every dashboard selector and the patient search, ORM vs hand-written SQL.

Run ``python -m bench.seed`` first. For each case: the real selector (evaluated as the API does: the first
page of 50 rows, or the one row / the aggregate) and hand-written SQL giving the same result (asserted equal
once), timed in interleaved rounds (≥ 5, rotating order), each round the median of ``--reps`` runs. Printed:
median ORM ms, raw ms, ratio, absolute difference, the ORM's query count, and EXPLAIN checks (no sequential
scan on a table over 10k rows; the trigram GIN index in the practice-wide search). The search is also timed
with index scans disabled (``SET LOCAL enable_indexscan/bitmapscan = off``) for the ≤ 5 % target.
The selectors compile their statement once per process (``sanctuary.db.QueryTemplate``); that happens in
the untimed warm-up, as in a long-running worker after its first request.
Targets are printed (ok/MISS), never asserted. Exit 1 only when an ORM and raw result differ.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PAGE = 50
NAME = "(COALESCE(p.first_name, '') || COALESCE(COALESCE(' ', '') || COALESCE(p.last_name, ''), ''))"
SEQ_SCAN_LIMIT = 10_000


@dataclass
class Case:
    name: str
    orm: Callable[[], list[tuple]]  # evaluates the real selector, returns comparable rows
    raw_sql: str
    params: dict[str, Any]
    explain_orm: Callable[[], list[Any]] | None = None  # JSON plan of the ORM query (EXPLAIN FORMAT JSON)
    target: str = "dashboard"  # dashboard: ≤ raw + 3 ms and ≤ 3 queries; search: ≤ 1.5x raw
    max_queries: int = 3
    needs_index: str | None = None
    unindexed_sql: str | None = None  # search: the name match alone, timed with index scans off


def raw(sql: str, params: dict[str, Any]) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def plan_problems(plan_json: str | list, needs_index: str | None) -> tuple[list[str], set[str]]:
    """Seq scans on tables over the limit, and every index the plan uses."""
    from django.db import connection

    plan = json.loads(plan_json) if isinstance(plan_json, str) else plan_json
    problems: list[str] = []
    indexes: set[str] = set()

    def walk(node: dict) -> None:
        if node.get("Index Name"):
            indexes.add(node["Index Name"])
        if node.get("Node Type") == "Seq Scan":
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [node["Relation Name"]])
                tuples = cursor.fetchone()[0]
            if tuples > SEQ_SCAN_LIMIT:
                problems.append(f"seq scan on {node['Relation Name']} ({tuples:.0f} rows)")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    if needs_index and needs_index not in indexes:
        problems.append(f"{needs_index} not used")
    return problems, indexes


def explain_raw(sql: str, params: dict[str, Any]) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        value = cursor.fetchone()[0]
    return value if isinstance(value, list) else json.loads(value)


def timed(fn: Callable[[], Any], reps: int) -> float:
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def unindexed(sql: str, params: dict[str, Any]) -> Callable[[], Any]:
    from django.db import connection, transaction

    def run() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def build_cases(therapist: Any, patient_id: Any, now: datetime, search_term: str) -> list[Case]:
    from practice import selectors

    today = now.date()
    tid = therapist.pk
    base = {"t": tid, "now": now, "today": today}

    # The selectors return rows (dicts): the first page is a slice, as DRF's paginator takes it.
    def page(rows: Any, *fields: str) -> Callable[[], list[tuple]]:
        return lambda: [tuple(row[f] for f in fields) for row in rows()[:PAGE]]

    def explain(rows: Any) -> Callable[[], list]:
        return lambda: explain_raw(*rows().sql(limit=PAGE))

    upcoming = lambda: selectors.upcoming_appointments(therapist=therapist, now=now)  # noqa: E731
    fin = lambda: selectors.financial_summary(therapist=therapist, today=today)  # noqa: E731
    active = lambda: selectors.active_patients_with_appointments(therapist=therapist, now=now)  # noqa: E731
    plist = lambda: selectors.patient_list(therapist=therapist, now=now)  # noqa: E731
    scoped = lambda: selectors.patient_search_rows(query=search_term, therapist=therapist, now=now)  # noqa: E731
    practice = lambda: selectors.patient_search_rows(query=search_term, therapist=None, now=now)  # noqa: E731
    pattern = f"%{search_term}%"
    # The columns of a patient-list row (practice.selectors.PATIENT_LIST_COLUMNS), as the list and the
    # search return them.
    list_columns = f"""p.id, p.first_name, p.last_name, {NAME}, p.email, p.phone, p.date_of_birth, p.avatar_url,
                   p.preferred_session_type, p.status, p.archived_at,
                   (SELECT count(*) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template),
                   (SELECT max(n.session_date) FROM practice_sessionnote n
                     WHERE n.patient_id = p.id AND NOT n.is_template),
                   (SELECT min(a.scheduled_start) FROM practice_appointment a WHERE a.patient_id = p.id
                       AND a.status = 'scheduled' AND a.scheduled_start >= %(now)s)"""
    # The ≤ 5 % target compares the search with the name match done without the trigram index. Only the
    # match: with index scans off, the list columns' correlated subqueries would scan the appointment and
    # note tables for every row and make the unindexed time meaningless (seconds).
    name_only_sql = f"""
        SELECT p.id, {NAME} FROM practice_patient p
         WHERE {{scope}} ({NAME} ILIKE %(pattern)s OR %(q)s <%% {NAME})
         ORDER BY word_similarity(%(q)s, {NAME}) DESC, p.last_name, p.first_name, p.id LIMIT {PAGE}"""
    search_sql = f"""
        SELECT {list_columns}
          FROM practice_patient p
         WHERE {{scope}} ({NAME} ILIKE %(pattern)s OR %(q)s <%% {NAME})
         ORDER BY word_similarity(%(q)s, {NAME}) DESC, p.last_name, p.first_name, p.id LIMIT {PAGE}"""

    def overview_orm() -> list[tuple]:
        o = selectors.financial_overview(therapist=therapist, today=today)
        return [(o.total, o.paid, o.pending, o.pending_count, o.overdue, o.overdue_count)]

    def summary_orm() -> list[tuple]:
        p = selectors.patient_summary(therapist=therapist, patient_id=patient_id, now=now)
        return [
            (
                p["id"],
                p["patient_name"],
                p["total_sessions"],
                p["latest_mood"],
                p["avg_mood"],
                p["total_amount_owed"],
                p["last_session_date"],
                p["next_appointment"],
            )
        ]

    pending = "f.status = 'pending' AND (f.due_date IS NULL OR f.due_date >= %(today)s)"
    overdue = "(f.status = 'overdue' OR (f.status = 'pending' AND f.due_date < %(today)s))"
    return [
        Case(
            "upcoming_appointments",
            page(
                upcoming,
                "id",
                "patient_name",
                "therapist_name",
                "scheduled_start",
                "scheduled_end",
                "status",
                "appointment_type",
                "patient_avatar",
                "session_type_name",
                "default_duration_minutes",
                "patient",
                "session_type",
                "location",
                "meeting_url",
            ),
            f"""
            SELECT a.id, p.first_name || ' ' || p.last_name, t.first_name || ' ' || t.last_name, a.scheduled_start,
                   a.scheduled_end, a.status, a.appointment_type, p.avatar_url, st.name, st.default_duration_minutes,
                   a.patient_id, a.session_type_id, a.location, a.meeting_url
              FROM practice_appointment a JOIN practice_patient p ON p.id = a.patient_id
              JOIN practice_therapist t ON t.id = a.therapist_id
              LEFT JOIN practice_sessiontype st ON st.id = a.session_type_id
             WHERE a.therapist_id = %(t)s AND a.status = 'scheduled' AND a.scheduled_start >= %(now)s
             ORDER BY a.scheduled_start LIMIT {PAGE}""",
            base,
            explain(upcoming),
        ),
        Case(
            "financial_summary",
            page(
                fin,
                "id",
                "patient_name",
                "total_records",
                "total_paid",
                "total_pending",
                "total_overdue",
                "total_amount",
            ),
            f"""
            SELECT p.id, {NAME}, count(f.id),
                   COALESCE(sum(f.amount) FILTER (WHERE f.status = 'paid'), 0),
                   COALESCE(sum(f.amount) FILTER (WHERE {pending}), 0),
                   COALESCE(sum(f.amount) FILTER (WHERE {overdue}), 0),
                   COALESCE(sum(f.amount), 0)
              FROM practice_patient p LEFT JOIN practice_financialrecord f ON f.patient_id = p.id
             WHERE p.therapist_id = %(t)s
             GROUP BY p.id ORDER BY p.last_name, p.first_name, p.id LIMIT {PAGE}""",
            base,
            explain(fin),
        ),
        Case(
            "financial_overview",
            overview_orm,
            f"""
            SELECT COALESCE(sum(f.amount), 0), COALESCE(sum(f.amount) FILTER (WHERE f.status = 'paid'), 0),
                   COALESCE(sum(f.amount) FILTER (WHERE {pending}), 0), count(*) FILTER (WHERE {pending}),
                   COALESCE(sum(f.amount) FILTER (WHERE {overdue}), 0), count(*) FILTER (WHERE {overdue})
              FROM practice_financialrecord f WHERE f.therapist_id = %(t)s""",
            base,
        ),
        Case(
            "active_patients",
            page(
                active,
                "id",
                "patient_name",
                "total_sessions",
                "last_session_date",
                "next_session_at",
                "therapist_name",
                "avatar_url",
                "preferred_session_type",
                "status",
            ),
            f"""
            SELECT p.id, {NAME},
                   (SELECT count(*) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template),
                   (SELECT max(n.session_date) FROM practice_sessionnote n
                     WHERE n.patient_id = p.id AND NOT n.is_template),
                   x.next_at, t.first_name || ' ' || t.last_name, p.avatar_url, p.preferred_session_type, p.status
              FROM practice_patient p JOIN practice_therapist t ON t.id = p.therapist_id
              LEFT JOIN LATERAL (SELECT min(a.scheduled_start) AS next_at FROM practice_appointment a
                                  WHERE a.patient_id = p.id AND a.status = 'scheduled'
                                    AND a.scheduled_start >= %(now)s) x ON TRUE
             WHERE p.therapist_id = %(t)s AND p.status = 'Active'
             ORDER BY x.next_at NULLS LAST, p.last_name, p.first_name, p.id LIMIT {PAGE}""",
            base,
            explain(active),
        ),
        Case(
            "patient_summary",
            summary_orm,
            f"""
            SELECT p.id, {NAME},
                   (SELECT count(*) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template),
                   (SELECT m.mood_rating FROM practice_moodentry m WHERE m.patient_id = p.id
                     ORDER BY m.entry_date DESC, m.created_at DESC LIMIT 1),
                   (SELECT avg(m.mood_rating) FROM practice_moodentry m WHERE m.patient_id = p.id),
                   COALESCE((SELECT sum(f.patient_responsibility) FROM practice_financialrecord f
                              WHERE f.patient_id = p.id AND f.status IN ('pending', 'overdue')), 0),
                   (SELECT max(n.session_date) FROM practice_sessionnote n
                     WHERE n.patient_id = p.id AND NOT n.is_template),
                   (SELECT min(a.scheduled_start) FROM practice_appointment a WHERE a.patient_id = p.id
                       AND a.status = 'scheduled' AND a.scheduled_start >= %(now)s)
              FROM practice_patient p WHERE p.therapist_id = %(t)s AND p.id = %(p)s""",
            {**base, "p": patient_id},
        ),
        Case(
            "patient_list",
            page(plist, *selectors.PATIENT_LIST_COLUMNS),
            f"""
            SELECT {list_columns} FROM practice_patient p WHERE p.therapist_id = %(t)s
             ORDER BY p.last_name, p.first_name, p.id LIMIT {PAGE}""",
            base,
            explain(plist),
        ),
        Case(
            "search_therapist",
            page(scoped, *selectors.PATIENT_LIST_COLUMNS),
            search_sql.format(scope="p.therapist_id = %(t)s AND"),
            {**base, "q": search_term, "pattern": pattern},
            explain(scoped),
            target="search",
            unindexed_sql=name_only_sql.format(scope="p.therapist_id = %(t)s AND"),
        ),
        Case(
            "search_practice",
            page(practice, *selectors.PATIENT_LIST_COLUMNS),
            search_sql.format(scope=""),
            {"q": search_term, "pattern": pattern, "now": now},
            explain(practice),
            target="search",
            needs_index="practice_patient_name_trgm",
            unindexed_sql=name_only_sql.format(scope=""),
        ),
    ]


def comparable(rows: list[tuple], width: int) -> list[tuple]:
    """Rows cut to the compared columns, numbers normalised (Decimal vs float vs int)."""
    from decimal import Decimal

    def norm(v: Any) -> Any:
        if isinstance(v, (Decimal, float)):
            return round(float(v), 2)
        return v

    return [tuple(norm(v) for v in row[:width]) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--reps", type=int, default=7, help="runs per variant per round; its median counts")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--search", default="", help="search term (default: a seeded last name)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.lib import machine
    from bench.lib.stats import round_orders
    from practice.models import Patient, Therapist

    info = machine.collect(use_wrk=False)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info.postgres = f"PostgreSQL {cursor.fetchone()[0]} (database {connection.settings_dict.get('NAME')})"
        cursor.execute("SELECT count(*) FROM practice_patient")
        n_patients = cursor.fetchone()[0]
    if n_patients < 1000:
        print("bench/queries: run `python -m bench.seed` first (fewer than 1000 patients)", file=sys.stderr)
        return 2
    # The therapist with the most patients (seeded: all about equal), one of their patients with appointments.
    therapist = Therapist.objects.get(email="clinician3@bench.invalid")
    patient_id = Patient.objects.filter(therapist=therapist).order_by("last_name").values_list("pk", flat=True)[0]
    term = (
        args.search or Patient.objects.filter(therapist=therapist).order_by("pk").values_list("last_name", flat=True)[0]
    )
    now = timezone.now()
    cases = build_cases(therapist, patient_id, now, term)
    if args.only:
        wanted = {n.strip() for n in args.only.split(",")}
        cases = [c for c in cases if c.name in wanted]

    mismatches = []
    queries: dict[str, int] = {}
    plans: dict[str, str] = {}
    for case in cases:
        with CaptureQueriesContext(connection) as captured:
            orm_rows = case.orm()
        queries[case.name] = len(captured)
        raw_rows = raw(case.raw_sql, case.params)
        width = len(orm_rows[0]) if orm_rows else 0
        if comparable(orm_rows, width) != comparable(raw_rows, width):
            mismatches.append(case.name)
            print(f"MISMATCH {case.name}: orm {orm_rows[:2]} vs raw {raw_rows[:2]}", file=sys.stderr)
        problems, _raw_indexes = plan_problems(explain_raw(case.raw_sql, case.params), None)
        if case.explain_orm is not None:
            orm_problems, orm_indexes = plan_problems(case.explain_orm(), case.needs_index)
        else:  # single-row/aggregate selectors: the ORM SQL, explained through the captured statement
            orm_problems, orm_indexes = [], set()
            sql = captured.captured_queries[-1]["sql"] if captured.captured_queries else ""
            if sql:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                    value = cursor.fetchone()[0]
                orm_problems, orm_indexes = plan_problems(value, case.needs_index)
        all_problems = sorted(set(problems + orm_problems))
        plans[case.name] = (
            "ok" if not all_problems else "; ".join(all_problems)
        ) + f" [orm: {', '.join(sorted(orm_indexes)) or '-'}]"
        case_rows = len(orm_rows)
        plans[case.name] += f" rows={case_rows}"

    # Interleaved timing: each round runs every variant (rotating order), each the median of --reps runs.
    variants: dict[str, Callable[[], Any]] = {}
    for case in cases:
        variants[f"{case.name}:orm"] = case.orm
        variants[f"{case.name}:raw"] = functools.partial(raw, case.raw_sql, case.params)
        if case.target == "search":
            variants[f"{case.name}:unindexed"] = unindexed(case.unindexed_sql or case.raw_sql, case.params)
    for fn in variants.values():  # warm caches and prepared plans
        fn()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for order in round_orders(list(variants), args.rounds):
        for name in order:
            samples[name].append(timed(variants[name], args.reps))

    print(
        f"\nSanctuary bench/queries — {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {args.rounds} interleaved "
        f"rounds x {args.reps} runs (median), {n_patients} patients, therapist clinician3, search {term!r}, "
        f"page {PAGE}; total {time.monotonic() - started:.0f}s"
    )
    info.load_after = machine.load_average()
    for line in info.lines()[:4]:
        print(line)
    print()
    header = (
        f"{'case':<22} {'orm ms':>8} {'raw ms':>8} {'ratio':>6} {'diff ms':>8} {'queries':>7}  target          plan"
    )
    print(header)
    print("-" * len(header))
    for case in cases:
        orm_ms = statistics.median(samples[f"{case.name}:orm"])
        raw_ms = statistics.median(samples[f"{case.name}:raw"])
        per_round = [o / r for o, r in zip(samples[f"{case.name}:orm"], samples[f"{case.name}:raw"], strict=True)]
        diffs = [o - r for o, r in zip(samples[f"{case.name}:orm"], samples[f"{case.name}:raw"], strict=True)]
        ratio, diff = statistics.median(per_round), statistics.median(diffs)
        if case.target == "search":
            un = statistics.median(samples[f"{case.name}:unindexed"])
            share = statistics.median(
                [o / u for o, u in zip(samples[f"{case.name}:orm"], samples[f"{case.name}:unindexed"], strict=True)]
            )
            ok = ratio <= 1.5 and (case.needs_index is None or share <= 0.05)
            target = f"{'ok' if ok else 'MISS'} ≤1.5x; {share:.1%} of unindexed {un:.1f} ms"
        else:
            ok = diff <= 3 and queries[case.name] <= case.max_queries
            target = f"{'ok' if ok else 'MISS'} ≤raw+3ms,≤3q"
        print(
            f"{case.name:<22} {orm_ms:>8.2f} {raw_ms:>8.2f} {ratio:>5.2f}x {diff:>+8.2f} {queries[case.name]:>7}  "
            f"{target:<15} {plans[case.name]}"
        )
    print(
        "\nratio/diff = medians over rounds of the per-round (ORM / raw) and (ORM - raw); plan = EXPLAIN of both "
        f"queries: seq scans on tables over {SEQ_SCAN_LIMIT} rows, indexes the ORM plan uses"
    )
    if mismatches:
        print(f"RESULT MISMATCH: {', '.join(mismatches)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
