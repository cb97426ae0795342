"""``python -m bench.seed``: a large synthetic practice, generated inside PostgreSQL with ``generate_series``.

Full scale (``--scale 1``): 500 clinicians, 100k patients, 500k appointments, 1M mood entries, 200k
financial records, 20k directory therapists, 1M engagement events. Every row goes through the real schema
with its constraints and triggers on (the appointment exclusion constraint, the deferred foreign keys, the
legacy-spelling and patient-responsibility triggers, the append-only event log: inserts only), with one
exception: the per-row pghistory ``insert`` trigger of the five tracked tables is skipped for the seeding
connection (``pgtrigger.ignore``) and the same history rows are written set-based, by the same statement
(``WITH ins AS (INSERT ... RETURNING *) INSERT INTO <table>event SELECT ... FROM ins``), attached to one
pghistory context that names the seed. The history is complete; only the row-at-a-time path is skipped
(it was 90 % of the full seed's time: 2-3k rows/s against 40-80k). Names are synthetic syllable
combinations, e-mails end in ``.invalid``.

Idempotent: a ``bench_seed_info`` row records the scale; a second run at the same scale does nothing.
``--reset`` (or another scale) empties the practice and research tables first (TRUNCATE ... CASCADE: only
ever on the bench database) and seeds again. Prints rows/s per table and the total time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vo", "sel", "dar", "in", "po", "ru", "fa", "ne", "tio", "ber", "gan"]
FIRST_NAMES = [(a + b).capitalize() for a in SYLLABLES for b in SYLLABLES]  # 256 synthetic first names
LAST_NAMES = [(a + b + c).capitalize() for a in SYLLABLES[:12] for b in SYLLABLES for c in SYLLABLES[4:12]]  # 1536

BASE = {
    "clinicians": 500,
    "patients": 100_000,
    "appointments": 500_000,
    "mood": 1_000_000,
    "financial": 200_000,
    "directory": 20_000,
    "events": 1_000_000,
}
CHUNK = 20_000
# Tables emptied by --reset (CASCADE reaches everything with a foreign key to them). pghistory's event tables
# hold no database-level foreign key to the tracked rows, so they are named here.
RESET_TABLES = [
    "practice_therapist",
    "practice_patient",
    "research_engagementevent",
    "research_outboundemail",
    "research_therapistresearchstate",
    "practice_therapistevent",
    "practice_patientevent",
    "practice_appointmentevent",
    "practice_moodentryevent",
    "practice_financialrecordevent",
]
THERAPIST_COLUMNS = """(id, created_at, updated_at, email, first_name, last_name, preferred_name, pronouns, title,
    phone, avatar_url, profession, license_number, license_type, license_issuing_body, license_expiry,
    license_verified, registration_number, organisation, website, specializations, modalities, languages,
    client_types, service_types, region, suburb, state, postcode, bio, profile_source, directory_status, is_active)"""


def sizes(scale: float) -> dict[str, int]:
    return {k: max(5 if k == "clinicians" else 50, round(v * scale)) for k, v in BASE.items()}


def statements(n: dict[str, int]) -> list[tuple[str, str, str, dict]]:
    """(table label, table name, SQL, params). Clinician k is md5('bench-t-k')::uuid; patient p likewise."""
    per_therapist = max(1, n["appointments"] // n["clinicians"])
    return [
        (
            "clinicians",
            "practice_therapist",
            f"""
            INSERT INTO practice_therapist {THERAPIST_COLUMNS}
            SELECT md5('bench-t-' || g)::uuid, now(), now(), 'clinician' || g || '@bench.invalid',
                   (%(first)s::text[])[1 + g %% 256], (%(last)s::text[])[1 + (g * 7) %% 1536], '', '', 'Dr', '', '',
                   'Psychologist', 'LIC' || g, 'General', 'Board', current_date + (g %% 400) - 30, true, '',
                   'Bench Practice', '', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '', '', 'VIC', '3000', '',
                   'manual', 'verified', true
              FROM generate_series(%(lo)s, %(hi)s) g""",
            {},
        ),
        (
            "directory",
            "practice_therapist",
            f"""
            INSERT INTO practice_therapist {THERAPIST_COLUMNS}
            SELECT md5('bench-d-' || g)::uuid, now(), now(), 'directory' || g || '@bench.invalid',
                   (%(first)s::text[])[1 + (g * 3) %% 256], (%(last)s::text[])[1 + (g * 11) %% 1536], '', '', '', '',
                   '', 'Counsellor', '', '', '', NULL, false, '', '', '', ARRAY['anxiety'], ARRAY['CBT'],
                   ARRAY['English'], ARRAY['adults'], ARRAY['online'], 'Metro', 'Suburb' || (g %% 300), 'VIC',
                   '3' || lpad((g %% 999)::text, 3, '0'), '', 'vic_import', 'published', true
              FROM generate_series(%(lo)s, %(hi)s) g""",
            {},
        ),
        (
            "patients",
            "practice_patient",
            """
            INSERT INTO practice_patient (id, created_at, updated_at, first_name, last_name, email, phone,
                date_of_birth, emergency_contact_name, emergency_contact_phone, avatar_url, preferred_session_type,
                status, notes, archived_at, therapist_id)
            SELECT md5('bench-p-' || g)::uuid, now(), now(),
                   (%(first)s::text[])[1 + (g * 13) %% 256], (%(last)s::text[])[1 + (g * 101) %% 1536],
                   'patient' || g || '@bench.invalid', '', DATE '1960-01-01' + (g %% 15000), '', '', '',
                   'Individual',
                   CASE WHEN g %% 10 = 0 THEN 'Inactive' WHEN g %% 25 = 1 THEN 'Completed' ELSE 'Active' END,
                   '', CASE WHEN g %% 25 = 1 THEN now() END,
                   md5('bench-t-' || (1 + g %% %(clinicians)s))::uuid
              FROM generate_series(%(lo)s, %(hi)s) g""",
            {},
        ),
        # Therapist t's k-th appointment starts k x 8 h after a base ~300 days ago (never overlapping: the
        # exclusion constraint checks every row), with one of the therapist's own patients.
        (
            "appointments",
            "practice_appointment",
            """
            INSERT INTO practice_appointment (id, created_at, updated_at, scheduled_start, scheduled_end,
                actual_start, actual_end, appointment_type, status, meeting_url, location, preparation_notes,
                private_notes, cancellation_reason, therapist_id, patient_id, session_type_id)
            SELECT md5('bench-a-' || t || '-' || k)::uuid, now(), now(), s.start, s.start + interval '50 minutes',
                   CASE WHEN s.done THEN s.start END, CASE WHEN s.done THEN s.start + interval '52 minutes' END,
                   'In-Person',
                   CASE WHEN s.start >= now() THEN 'scheduled' WHEN k %% 17 = 0 THEN 'cancelled' ELSE 'completed' END,
                   '', '', '', '', '', md5('bench-t-' || t)::uuid,
                   md5('bench-p-' || (t - 1 + %(clinicians)s * (1 + (k * 37) %% (%(pp)s - 1))))::uuid, NULL
              FROM generate_series(%(lo)s, %(hi)s) t
              CROSS JOIN generate_series(0, %(per_t)s - 1) k
              CROSS JOIN LATERAL (
                  SELECT date_trunc('hour', now()) - interval '300 days' + k * interval '8 hours'
                         + (t %% 6) * interval '10 minutes' AS start,
                         date_trunc('hour', now()) - interval '300 days' + k * interval '8 hours'
                             < now() - interval '1 day' AND k %% 17 <> 0 AS done
              ) s""",
            {"per_t": per_therapist},
        ),
        (
            "mood",
            "practice_moodentry",
            """
            INSERT INTO practice_moodentry (id, created_at, updated_at, entry_date, mood_rating, notes, energy_level,
                anxiety_level, sleep_quality, therapist_id, patient_id, session_note_id)
            SELECT md5('bench-m-' || g)::uuid, now(), now(), current_date - (g %% 700), 1 + (g * 7) %% 10, '',
                   1 + g %% 10, NULL, NULL, md5('bench-t-' || (1 + (g %% %(patients)s) %% %(clinicians)s))::uuid,
                   md5('bench-p-' || (g %% %(patients)s))::uuid, NULL
              FROM generate_series(%(lo)s, %(hi)s) g
             WHERE g %% %(patients)s <> 0""",
            {},
        ),
        (
            "financial",
            "practice_financialrecord",
            """
            INSERT INTO practice_financialrecord (id, created_at, updated_at, record_date, transaction_date, amount,
                record_type, status, session_type, description, invoice_number, payment_method, late_fee,
                discount_applied, notes, due_date, paid_date, void_reason, insurer_name, insurance_policy_number,
                insurance_claim_id, insurance_claim_status, coverage_percent, copay_amount, insurer_amount,
                patient_responsibility, therapist_id, patient_id, appointment_id)
            SELECT md5('bench-f-' || g)::uuid, now(), now(), current_date - (g %% 400), NULL,
                   (100 + (g %% 9) * 20)::numeric, 'session',
                   CASE g %% 4 WHEN 0 THEN 'paid' WHEN 1 THEN 'pending' WHEN 2 THEN 'overdue' ELSE 'paid' END,
                   'Individual', '', 'INV-' || g, '', 0, 0, '', current_date - (g %% 400) + 14,
                   CASE WHEN g %% 4 IN (0, 3) THEN current_date - (g %% 400) + 7 END, '', '', '', '', '',
                   CASE WHEN g %% 3 = 0 THEN 50 END, NULL, 0, 0,
                   md5('bench-t-' || (1 + (1 + g %% (%(patients)s - 1)) %% %(clinicians)s))::uuid,
                   md5('bench-p-' || (1 + g %% (%(patients)s - 1)))::uuid, NULL
              FROM generate_series(%(lo)s, %(hi)s) g""",
            {},
        ),
        (
            "events",
            "research_engagementevent",
            """
            INSERT INTO research_engagementevent (kind, occurred_at, received_at, therapist_id, email,
                outbound_email_id, context, status, machine_open, provider_event_id)
            SELECT (ARRAY['email_sent','email_delivered','email_opened','email_clicked','sandbox_visited'])[1 + g %% 5],
                   now() - (g %% 100000) * interval '5 minutes', now(),
                   md5('bench-d-' || (1 + g %% %(directory)s))::uuid,
                   'directory' || (1 + g %% %(directory)s) || '@bench.invalid',
                   NULL, jsonb_build_object('provider', 'resend', 'step', 1 + g %% 4), 'completed', false,
                   'seed_' || g
              FROM generate_series(%(lo)s, %(hi)s) g""",
            {},
        ),
    ]


# Seed label -> the pghistory-tracked model whose insert events the seed writes set-based.
TRACKED = {
    "clinicians": "practice.Therapist",
    "directory": "practice.Therapist",
    "patients": "practice.Patient",
    "appointments": "practice.Appointment",
    "mood": "practice.MoodEntry",
    "financial": "practice.FinancialRecord",
}


def with_history(sql: str, model_label: str) -> str:
    """Wrap one ``INSERT ... SELECT`` so the same statement writes each new row's pghistory insert event.

    The event columns are read from the event model, so the copy follows the tracked fields; ``pgh_created_at``
    is ``now()`` and the label ``insert``, as pghistory's own trigger writes them.
    """
    from django.apps import apps

    model = apps.get_model(model_label)
    event = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    columns = ", ".join(f.column for f in event._meta.concrete_fields if not f.column.startswith("pgh_"))
    return (
        f"WITH ins AS ({sql.strip()}\n RETURNING *)\n"
        f"INSERT INTO {event._meta.db_table} ({columns}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id)\n"
        f"SELECT {columns}, now(), 'insert', id, %(context)s FROM ins"
    )


def history_trigger_ignore_value() -> str:
    """The ``pgtrigger.ignore`` setting that skips the tracked tables' pghistory insert triggers.

    What ``pgtrigger.ignore()`` sets, written out: its own injection prefixes a ``%s`` placeholder, which
    psycopg refuses beside the seed's named ones. Both spellings (``table:pgid`` and ``pgid``) as pgtrigger 4.
    """
    import pgtrigger

    ids: set[str] = set()
    for model, trigger in pgtrigger.registered(*{f"{label}:insert_insert" for label in TRACKED.values()}):
        pgid = trigger.get_pgid(model)
        ids |= {f"{model._meta.db_table}:{pgid}", pgid}
    return "{" + ",".join(sorted(ids)) + "}"


def _run_chunk(sql: str, params: dict) -> int:
    from django.db import connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if "ignore" in params:  # this transaction only (set_config's is_local)
                cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [params["ignore"]])
            cursor.execute(sql, params)
            return cursor.rowcount
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def _seed_context(scale: float) -> str:
    """One pghistory context for every history row the seed writes (what pghistory.context would attach)."""
    import uuid

    from pghistory.models import Context

    return str(Context.objects.create(id=uuid.uuid4(), metadata={"command": "bench.seed", "scale": scale}).id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full dataset (e.g. 0.1)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel connections per table (default 2)")
    parser.add_argument("--reset", action="store_true", help="empty the practice/research tables and seed again")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from sanctuary import db_roles

    # The seed is maintenance: it empties tables and skips the per-row history triggers, which only the owner
    # may do (sanctuary/db_roles.py).
    with db_roles.as_owner():
        return _seed(args)


def _seed(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    from bench.lib import machine

    started = time.monotonic()
    print(
        f"bench/seed: load avg {machine.format_load(machine.load_average())}; database "
        f"{connection.settings_dict.get('NAME') or connection.settings_dict.get('EMBEDDED_DATABASE')}",
        file=sys.stderr,
    )
    call_command("migrate", interactive=False, verbosity=0)
    n = sizes(args.scale)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_seed_info (scale double precision, rows jsonb, "
            "seeded_at timestamptz DEFAULT now())"
        )
        cursor.execute("SELECT scale FROM bench_seed_info")
        row = cursor.fetchone()
        if row and row[0] == args.scale and not args.reset:
            print(f"already seeded at scale {args.scale:g} (use --reset to seed again)")
            return 0
        if row or args.reset:
            t0 = time.monotonic()
            cursor.execute("TRUNCATE " + ", ".join(RESET_TABLES) + " CASCADE")
            cursor.execute("TRUNCATE bench_seed_info")
            cursor.execute("DELETE FROM pghistory_context WHERE metadata->>'command' = 'bench.seed'")
            print(f"reset: emptied {', '.join(RESET_TABLES)} (CASCADE) in {time.monotonic() - t0:.1f}s")
        context = _seed_context(args.scale)
        params = {
            **n,
            "first": FIRST_NAMES,
            "last": LAST_NAMES,
            "pp": max(2, n["patients"] // n["clinicians"]),
            "context": context,
            "ignore": history_trigger_ignore_value(),
        }
        print(f"{'table':<14} {'rows':>10} {'seconds':>8} {'rows/s':>10}")
        for label, table, sql, extra in statements(n):
            t0 = time.monotonic()
            if label in TRACKED:
                sql = with_history(sql, TRACKED[label])
            # Chunks of CHUNK rows, each its own statement (autocommit): one huge INSERT through the per-row
            # history triggers slows down superlinearly; chunks keep every table at a steady rate.
            total = n["clinicians"] if label == "appointments" else n[label]
            step = max(1, CHUNK // (n["appointments"] // n["clinicians"])) if label == "appointments" else CHUNK
            chunks = [
                {**params, **extra, "lo": lo, "hi": min(total, lo + step - 1)} for lo in range(1, total + 1, step)
            ]
            if label == "directory":
                count = sum(_run_chunk(sql, c) for c in chunks)  # the clinicians' rows must exist first
            else:
                with ThreadPoolExecutor(max_workers=args.jobs) as pool:  # one connection per thread
                    count = sum(pool.map(lambda c, sql=sql: _run_chunk(sql, c), chunks))
            took = time.monotonic() - t0
            print(f"{label:<14} {count:>10} {took:>8.1f} {count / took if took else 0:>10.0f}   ({table})", flush=True)
        t0 = time.monotonic()
        for table in (
            "practice_therapist",
            "practice_patient",
            "practice_appointment",
            "practice_moodentry",
            "practice_financialrecord",
            "research_engagementevent",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")  # fixed table names
        print(f"vacuum analyze: {time.monotonic() - t0:.1f}s")
        cursor.execute("INSERT INTO bench_seed_info (scale, rows) VALUES (%s, %s::jsonb)", [args.scale, json.dumps(n)])
    print(
        f"total {time.monotonic() - started:.1f}s at scale {args.scale:g}; load avg after "
        f"{machine.format_load(machine.load_average())}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
