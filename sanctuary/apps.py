from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SanctuaryConfig(AppConfig):
    name = "sanctuary"
    verbose_name = "Sanctuary"
    default = True


class SanctuaryAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with our site (unfold's skin, role homes, role navigation) as ``admin.site``."""

    default = False
    default_site = "sanctuary.admin_site.SanctuaryAdminSite"
