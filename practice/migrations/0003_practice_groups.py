"""The two practice staff groups and their model permissions.

Row-level scoping (a therapist sees only their own patients) is done by the admin and selectors; these
permissions only decide which models a group may touch at all.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

THERAPIST = "Therapist"
PRACTICE_MANAGER = "Practice manager"

# Therapists document and bill their own patients; they never delete clinical records (archive instead)
# and only read the practice-wide lookups, except tags, which notes create on the fly.
THERAPIST_PERMISSIONS = {
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
    "therapist", "patient", "appointment", "sessionnote", "sessionnoteamendment", "notetag", "moodentry",
    "progressentry", "financialrecord", "sessiontype", "progressarea", "tag",
)


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); create them now so they can be granted.
    app_config = apps.get_app_config("practice")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")

    def perms(model, actions):
        codenames = [f"{action}_{model}" for action in actions]
        return list(permission_model.objects.filter(content_type__app_label="practice", codename__in=codenames))

    therapist, _ = group_model.objects.get_or_create(name=THERAPIST)
    for model, actions in THERAPIST_PERMISSIONS.items():
        therapist.permissions.add(*perms(model, actions))

    manager, _ = group_model.objects.get_or_create(name=PRACTICE_MANAGER)
    for model in MANAGER_MODELS:
        manager.permissions.add(*perms(model, ("view", "add", "change", "delete")))


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[THERAPIST, PRACTICE_MANAGER]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("practice", "0002_practice_domain_tables"),
    ]

    operations = [
        migrations.RunPython(create_groups, delete_groups),
    ]
