"""Demo login for research staff (``manage.py up``; local development only)."""

from __future__ import annotations

from django.apps import apps

from research.permissions import practice_manager_eoi_access_grant, research_staff_group_ensure
from sanctuary.demo import DEMO_PASSWORD, ensure_login


def ensure_research_staff_login() -> list[tuple[str, str, str]]:
    user = ensure_login("research", email="research@sanctuary.example", is_staff=True)
    user.groups.add(research_staff_group_ensure(apps))
    practice_manager_eoi_access_grant(apps)
    return [("research staff", "research", DEMO_PASSWORD)]
