"""The "Research staff" group: research models and the therapist directory, no clinical data.

Used by the data migration (historical models) and by the demo login (a flushed test/dev database has no
groups), so both build the same group.
"""

from __future__ import annotations

from typing import Any

from sanctuary import roles

RESEARCH_MODELS = (
    "surveyresponse",
    "feedback",
    "expressionofinterest",
    "outboundemail",
    "engagementevent",
    "suppression",
    "therapistresearchstate",
    "eoireviewevent",
)
# The engagement log is append-only and e-mails/state are written by services: staff only read them.
READ_ONLY = {"engagementevent", "outboundemail", "therapistresearchstate", "eoireviewevent"}


def research_staff_group_ensure(apps: Any) -> Any:
    """Create or refresh the group; ``apps`` is the migration state or ``django.apps.apps``."""
    roles.permissions_ensure(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=roles.RESEARCH_STAFF)
    codenames = []
    for model in RESEARCH_MODELS:
        actions = ("view",) if model in READ_ONLY else ("view", "add", "change")
        codenames += [f"{action}_{model}" for action in actions]
    research = permission_model.objects.filter(content_type__app_label="research", codename__in=codenames)
    # The directory (practice.Therapist) only; never patients, appointments, notes or finance.
    directory = permission_model.objects.filter(
        content_type__app_label="practice",
        content_type__model="therapist",
        codename__in=["view_therapist", "change_therapist", "view_directory"],
    )
    group.permissions.set([*research, *directory])
    return group


# Practice managers reopen rejected EOIs (issue 5: "only by a manager"); the review page is all they need.
MANAGER_EOI_PERMISSIONS = ("view_expressionofinterest", "change_expressionofinterest", "view_eoireviewevent")


def practice_manager_eoi_access_grant(apps: Any) -> None:
    """Give the Practice manager group the EOI review page (historical models in migrations)."""
    roles.permissions_ensure(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=roles.PRACTICE_MANAGER)
    group.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="research",
            codename__in=MANAGER_EOI_PERMISSIONS,
        )
    )
