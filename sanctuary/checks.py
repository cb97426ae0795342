"""Startup checks (Django's system checks) for what the code assumes of its settings."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register


@register()
def knox_auto_refresh_bypassed(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """``sanctuary.api.authentication.TokenAuthentication`` replaces knox's ``authenticate_credentials``
    (one query, the therapist profile joined) and with it knox's ``AUTO_REFRESH`` branch: turning that
    setting on would silently do nothing, so it is an error until the override renews tokens itself."""
    from knox.settings import knox_settings

    if knox_settings.AUTO_REFRESH:
        return [
            Error(
                "REST_KNOX['AUTO_REFRESH'] is on, but sanctuary.api.authentication.TokenAuthentication bypasses "
                "knox's refresh branch: tokens would not be renewed.",
                hint="Leave AUTO_REFRESH off, or renew the token in TokenAuthentication.authenticate_credentials.",
                id="sanctuary.E001",
            )
        ]
    return []
