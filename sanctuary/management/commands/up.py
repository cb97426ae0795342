"""``manage.py up``: database, migrations, demo data, demo logins, then a real server (gunicorn).

Safe to re-run: demo fixtures are loaded only into an empty database and existing
logins are never reset.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils.module_loading import import_string

# Project apps whose tables hold user data; "empty" means all of them are.
DATA_APPS = ("practice", "research")


def database_is_empty() -> bool:
    for app_label in DATA_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.managed and not model._meta.proxy and model._default_manager.exists():
                return False
    return True


def _die_with_parent() -> None:
    """Run in the gunicorn child: if `up` is SIGKILLed, the kernel sends the child SIGTERM."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Command(BaseCommand):
    help = "Start the database, migrate, load demo data into an empty database, and serve with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-serve", action="store_true", help="Do everything except serving.")
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Serve with DEBUG on (tracebacks in the browser); off by default, as a real user would see it.",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        no_serve: bool,
        debug: bool,
        **options: Any,
    ) -> None:
        started = time.monotonic()
        connection.ensure_connection()
        self.stdout.write(f"database: {self._describe_database()}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("migrations: up to date")

        if database_is_empty():
            for fixture in settings.DEMO_FIXTURES:
                call_command("loaddata", fixture, verbosity=0)
            for hook in getattr(settings, "DEMO_AFTER_LOAD", []):
                import_string(hook)()
            self.stdout.write(f"demo data: loaded {len(settings.DEMO_FIXTURES)} fixture(s) into the empty database")
        else:
            self.stdout.write("demo data: database already has data, nothing loaded")

        logins: list[tuple[str, str, str]] = []
        for hook in settings.DEMO_HOOKS:
            logins.extend(import_string(hook)())
        base_url = f"http://{host}:{port}"
        self.stdout.write("demo logins (local development only):")
        for role, username, password in logins:
            self.stdout.write(f"  {role:<18} {username:<16} {password}")
        self.stdout.write(f"admin:  {base_url}/admin/")
        self.stdout.write(f"health: {base_url}/health/")
        self.stdout.write(f"ready in {time.monotonic() - started:.1f}s")
        if no_serve:
            return
        connection.close()
        sys.exit(self._serve(host, port, workers, debug=debug))

    def _describe_database(self) -> str:
        params = connection.get_connection_params()
        where = params.get("host") or "localhost"
        embedded = "EMBEDDED_DATABASE" in connection.settings_dict
        engine = "embedded PostgreSQL" if embedded else "PostgreSQL"
        major = connection.cursor().connection.info.server_version // 10000
        return f"{engine} {major} ({params.get('dbname')} via {where})"

    def _serve(self, host: str, port: int, workers: int, *, debug: bool) -> int:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "sanctuary.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            # Paths only in the access log, no control socket (sanctuary/gunicorn_conf.py).
            "--config",
            "python:sanctuary.gunicorn_conf",
        ]
        env = {**os.environ}
        env.setdefault("DJANGO_SETTINGS_MODULE", "sanctuary.settings.local")
        env["DJANGO_DEBUG"] = "true" if debug else "false"
        self.stdout.write(
            f"serving on http://{host}:{port}/ with gunicorn, DEBUG {'on' if debug else 'off'} (Ctrl-C to stop)"
        )
        self.stdout.flush()
        server = subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)

        def forward(signum: int, frame: object) -> None:
            server.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        try:
            returncode = server.wait()
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        self.stdout.write("server stopped")
        # SIGTERM/SIGINT are a clean shutdown; atexit then stops the embedded database.
        return 0 if returncode in (0, -signal.SIGTERM, -signal.SIGINT) else returncode
