"""Research staff see the whole therapist directory (practice.view_directory), still no clinical data."""

from django.db import migrations

from research.permissions import research_staff_group_ensure


def refresh_group(apps, schema_editor):
    research_staff_group_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0002_research_staff_group"),
        ("practice", "0004_therapist_view_directory_permission"),
    ]

    operations = [migrations.RunPython(refresh_group, migrations.RunPython.noop)]
