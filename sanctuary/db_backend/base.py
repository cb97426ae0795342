"""PostgreSQL with two logins (``sanctuary.db_roles``): ``USER``/``PASSWORD`` are the owner's, used while
``as_owner()`` is active (migrations, ``flush``, test databases); every other connection logs in as
``APP_USER``/``APP_PASSWORD``, the least-privilege runtime role."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base, creation

from sanctuary import db_roles


class DatabaseCreation(creation.DatabaseCreation):
    """Test databases are created, migrated and dropped by the owner; the tests then run as the app."""

    def create_test_db(self, *args: Any, **kwargs: Any) -> str:
        with db_roles.as_owner(self.connection.alias):
            return super().create_test_db(*args, **kwargs)

    def destroy_test_db(self, *args: Any, **kwargs: Any) -> None:
        with db_roles.as_owner(self.connection.alias):
            super().destroy_test_db(*args, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        app_user = self.settings_dict.get("APP_USER")
        if app_user and not db_roles.owner_active():
            params["user"] = app_user
            params.pop("password", None)
            if self.settings_dict.get("APP_PASSWORD"):
                params["password"] = self.settings_dict["APP_PASSWORD"]
        return params

    def owner_connection_params(self) -> dict[str, Any]:
        """The owner's libpq parameters (for tools that connect on their own, like the backup tests)."""
        return super().get_connection_params()
