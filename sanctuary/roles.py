"""The staff roles of the whole house: their group names and the one membership check everything imports.

A role is a Django group (permissions decide which models a role may touch at all; row scoping is done by
the selectors and admins). A user's group names are read once per user object (one query per request) and
kept on it, so the navigation, the home page, the admins and the API can ask as often as they like.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions

THERAPIST = "Therapist"
PRACTICE_MANAGER = "Practice manager"
RESEARCH_STAFF = "Research staff"

_CACHE_ATTRIBUTE = "_sanctuary_group_names"


def group_names(user: Any) -> frozenset[str]:
    """The names of the user's groups; empty for anonymous or inactive users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    names = getattr(user, _CACHE_ATTRIBUTE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _CACHE_ATTRIBUTE, names)
    return names


def in_group(user: Any, name: str) -> bool:
    return name in group_names(user)


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def is_practice_manager(user: Any) -> bool:
    """Superusers and members of "Practice manager": they see the whole practice."""
    return is_superuser(user) or in_group(user, PRACTICE_MANAGER)


def is_research_staff(user: Any) -> bool:
    """Superusers and members of "Research staff": the directory and the research CRM, no clinical data."""
    return is_superuser(user) or in_group(user, RESEARCH_STAFF)


def is_therapist_member(user: Any) -> bool:
    return in_group(user, THERAPIST)


def may_review_eois(user: Any) -> bool:
    """Research staff, practice managers and superusers review expressions of interest."""
    return is_research_staff(user) or is_practice_manager(user)


def may_reopen_eois(user: Any) -> bool:
    """Only a manager (the "Practice manager" group) or a superuser may reopen a rejected EOI."""
    return is_practice_manager(user)


def permissions_ensure(apps: Any) -> None:
    """Create model permissions now (``apps``: a migration's historical apps or ``django.apps.apps``): on a fresh
    database Django only creates them after all migrations, and a flushed one has none until post_migrate."""
    for app_config in apps.get_app_configs():
        # create_permissions skips apps whose models module is unset (always so for migration stubs).
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models
