"""``manage.py devdb status|stop``: inspect or stop the embedded PostgreSQL server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanctuary.devdb import default_server


class Command(BaseCommand):
    help = "Show or stop the embedded PostgreSQL server used when DATABASE_URL is unset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "stop"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        server = default_server()
        if action == "stop":
            server.stop()
            self.stdout.write(f"stopped (data dir {server.pgdata})")
            return
        status = server.status()
        if status.running:
            owners = ", ".join(str(pid) for pid in status.owners) or "none"
            self.stdout.write(
                f"running: pid {status.pid}\n"
                f"data dir: {status.pgdata}\n"
                f"socket dir: {status.socket_dir}\n"
                f"owner processes: {owners}"
            )
        else:
            self.stdout.write(f"not running (data dir {status.pgdata})")
        if not status.running and status.owners:
            raise CommandError("owners are registered but the server is down")
