"""The bench-only floor tables and the statements the floors run. Created and dropped by the harness."""

from __future__ import annotations

from typing import Any

# Counter rows the event floor updates (one per provider message id, as the real webhook updates the
# outbound e-mail / therapist it concerns); events spread over them so row locks rarely collide.
COUNTER_ROWS = 500

CREATE = [
    """CREATE TABLE IF NOT EXISTS bench_floor_insert (
        id bigserial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        email text NOT NULL,
        audience text NOT NULL,
        rating smallint,
        comment text NOT NULL DEFAULT '',
        payload jsonb NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS bench_floor_event (
        event_id text PRIMARY KEY,
        email_id text NOT NULL,
        kind text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        payload jsonb NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS bench_floor_counter (
        email_id text PRIMARY KEY,
        events integer NOT NULL DEFAULT 0,
        last_kind text NOT NULL DEFAULT ''
    )""",
]
TABLES = ("bench_floor_insert", "bench_floor_event", "bench_floor_counter")

INSERT_ONE = "INSERT INTO bench_floor_insert (email, audience, rating, comment, payload) VALUES (%s, %s, %s, %s, %s)"
EVENT_INSERT = (
    "INSERT INTO bench_floor_event (event_id, email_id, kind, payload) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING 1"
)
EVENT_UPDATE = "UPDATE bench_floor_counter SET events = events + 1, last_kind = %s WHERE email_id = %s"


def email_id(k: int) -> str:
    return f"em_{k % COUNTER_ROWS:04d}"


def create(cursor: Any) -> None:
    """Create (or empty) the floor tables and seed the counter rows."""
    for statement in CREATE:
        cursor.execute(statement)
    cursor.execute("TRUNCATE " + ", ".join(TABLES))
    cursor.execute(
        "INSERT INTO bench_floor_counter (email_id) SELECT 'em_' || lpad(g::text, 4, '0') "
        "FROM generate_series(0, %s) AS g",
        [COUNTER_ROWS - 1],
    )


def drop(cursor: Any) -> None:
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(TABLES))


def event_counts(cursor: Any) -> tuple[int, int]:
    """(sum of counters, distinct stored events): equal when every replay was recognised."""
    cursor.execute("SELECT coalesce(sum(events), 0) FROM bench_floor_counter")
    counted = int(cursor.fetchone()[0])
    cursor.execute("SELECT count(*) FROM bench_floor_event")
    return counted, int(cursor.fetchone()[0])
