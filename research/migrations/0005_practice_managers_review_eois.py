"""Practice managers may open the EOI review page, so they can reopen rejected EOIs (managers only)."""

from django.db import migrations

from research.permissions import MANAGER_EOI_PERMISSIONS, practice_manager_eoi_access_grant
from sanctuary import roles


def grant(apps, schema_editor):
    practice_manager_eoi_access_grant(apps)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=roles.PRACTICE_MANAGER).first()
    if group is not None:
        group.permissions.remove(*apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="research", codename__in=MANAGER_EOI_PERMISSIONS,
        ))


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0004_eoi_review_workflow"),
        ("practice", "0003_practice_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
