"""The two practice staff groups and their model permissions (``practice.permissions`` owns the table)."""

from django.db import migrations

from practice.permissions import practice_groups_ensure
from sanctuary import roles


def create_groups(apps, schema_editor):
    practice_groups_ensure(apps)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[roles.THERAPIST, roles.PRACTICE_MANAGER]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("practice", "0002_practice_domain_tables"),
    ]

    operations = [
        migrations.RunPython(create_groups, delete_groups),
    ]
