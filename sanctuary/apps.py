from __future__ import annotations

from django.apps import AppConfig


class SanctuaryConfig(AppConfig):
    name = "sanctuary"
    verbose_name = "Sanctuary"
