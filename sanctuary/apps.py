from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SanctuaryConfig(AppConfig):
    name = "sanctuary"
    verbose_name = "Sanctuary"
    default = True

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_save

        from sanctuary.sessions import revoke_tokens_on_password_change, stamp_session_on_login

        pre_save.connect(
            revoke_tokens_on_password_change,
            sender=get_user_model(),
            dispatch_uid="sanctuary-revoke-tokens-on-password-change",
        )
        user_logged_in.connect(stamp_session_on_login, dispatch_uid="sanctuary-stamp-session-on-login")

        from django.db.models.signals import post_migrate

        from sanctuary.db_roles import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="sanctuary-runtime-role-grants")

        from sanctuary import checks  # noqa: F401  (registers the startup checks)


class SanctuaryAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with our site (unfold's skin, role homes, role navigation) as ``admin.site``."""

    default = False
    default_site = "sanctuary.admin_site.SanctuaryAdminSite"
