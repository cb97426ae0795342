"""The "Research staff" group: research models and the therapist directory, no clinical data."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Research staff"
RESEARCH_MODELS = (
    "surveyresponse", "feedback", "expressionofinterest", "outboundemail", "engagementevent",
    "suppression", "therapistresearchstate",
)
# The engagement log is append-only and e-mails are written by the send command: staff only read them.
READ_ONLY = {"engagementevent", "outboundemail", "therapistresearchstate"}


def create_group(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist for the models named here.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = []
    for model in RESEARCH_MODELS:
        actions = ("view",) if model in READ_ONLY else ("view", "add", "change")
        codenames += [f"{action}_{model}" for action in actions]
    research = Permission.objects.filter(content_type__app_label="research", codename__in=codenames)
    # The directory (practice.Therapist) only; never patients, appointments, notes or finance.
    directory = Permission.objects.filter(
        content_type__app_label="practice", codename__in=["view_therapist", "change_therapist"],
    )
    group.permissions.set([*research, *directory])


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0001_research_crm"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
