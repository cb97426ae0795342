"""PostgreSQL backend that starts the embedded server on first connection.

Commands that never touch the database (``check``, ``makemigrations --check``)
therefore never start a server, and each process that does connect becomes an
owner of the shared server (see ``sanctuary.devdb``).
"""

from __future__ import annotations

import os
from typing import Any

from sanctuary import devdb
from sanctuary.db_backend import base

_attached_in: int | None = None
_databases_ensured: set[str] = set()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        global _attached_in
        server = devdb.default_server()
        if _attached_in != os.getpid():
            server.ensure_running()
            # The bootstrap creates the runtime role; migrate grants it its rights (sanctuary.db_roles).
            if self.settings_dict.get("APP_USER"):
                server.ensure_login_role(str(self.settings_dict["APP_USER"]))
            _attached_in = os.getpid()
        # Only the configured development database is created on demand; test
        # databases are created (and torn down) by Django's test runner itself.
        dev_name = str(self.settings_dict.get("EMBEDDED_DATABASE"))
        if conn_params.get("dbname") == dev_name and dev_name not in _databases_ensured:
            server.ensure_database(dev_name)
            _databases_ensured.add(dev_name)
        return super().get_new_connection(conn_params)
