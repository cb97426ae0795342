"""The "Research staff" group: research models and the therapist directory, no clinical data."""

from django.db import migrations

from research.permissions import research_staff_group_ensure
from sanctuary import roles


def create_group(apps, schema_editor):
    research_staff_group_ensure(apps)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=roles.RESEARCH_STAFF).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0001_research_crm"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
