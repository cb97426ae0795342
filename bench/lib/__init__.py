"""The reusable parts of the benchmarks: statistics, machine info, gunicorn, load driver, raw psycopg floor.

Nothing here imports Django at module level, so the pure parts are usable (and unit-tested) without settings.
"""
