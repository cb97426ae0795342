"""The two practice staff groups and their model permissions.

Row-level scoping (a therapist sees only their own patients) is done by the admin and selectors; these
permissions only decide which models a group may touch at all. Used by the data migration (historical
models) and by the demo logins (a flushed test or development database has no groups), so both build the
same groups.
"""

from __future__ import annotations

from typing import Any

from sanctuary import roles

# Therapists document and bill their own patients; they never delete clinical records (archive instead)
# and only read the practice-wide lookups, except tags, which notes create on the fly.
THERAPIST_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "patient": ("view", "add", "change"),
    "appointment": ("view", "add", "change"),
    "sessionnote": ("view", "add", "change"),
    "sessionnoteamendment": ("view", "add"),
    "notetag": ("view", "add", "change", "delete"),
    "moodentry": ("view", "add", "change", "delete"),
    "progressentry": ("view", "add", "change", "delete"),
    "financialrecord": ("view", "add", "change"),
    "sessiontype": ("view",),
    "progressarea": ("view",),
    "tag": ("view", "add"),
    "therapist": ("view",),
}

MANAGER_MODELS = (
    "therapist",
    "patient",
    "appointment",
    "sessionnote",
    "sessionnoteamendment",
    "notetag",
    "moodentry",
    "progressentry",
    "financialrecord",
    "sessiontype",
    "progressarea",
    "tag",
)


def practice_groups_ensure(apps: Any) -> None:
    """Create (or top up) the Therapist and Practice manager groups; ``apps`` is the migration state or
    ``django.apps.apps``."""
    roles.permissions_ensure(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")

    def perms(model: str, actions: tuple[str, ...]) -> list[Any]:
        codenames = [f"{action}_{model}" for action in actions]
        return list(permission_model.objects.filter(content_type__app_label="practice", codename__in=codenames))

    therapist, _ = group_model.objects.get_or_create(name=roles.THERAPIST)
    for model, actions in THERAPIST_PERMISSIONS.items():
        therapist.permissions.add(*perms(model, actions))
    manager, _ = group_model.objects.get_or_create(name=roles.PRACTICE_MANAGER)
    for model in MANAGER_MODELS:
        manager.permissions.add(*perms(model, ("view", "add", "change", "delete")))
