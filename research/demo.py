"""Demo login for research staff (``manage.py up``; local development only)."""

from __future__ import annotations

from django.contrib.auth.models import Group

from sanctuary.demo import DEMO_PASSWORD, ensure_login

RESEARCH_STAFF_GROUP = "Research staff"


def ensure_research_staff_login() -> list[tuple[str, str, str]]:
    user = ensure_login("research", email="research@sanctuary.example", is_staff=True)
    user.groups.add(Group.objects.get(name=RESEARCH_STAFF_GROUP))
    return [("research staff", "research", DEMO_PASSWORD)]
