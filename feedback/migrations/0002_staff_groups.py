"""Create the Advocates and Organizers groups with their permissions.

Permissions are normally created after `migrate` finishes; they are created here first so a
fresh database gets complete groups in one run. Permissions are only ever added: a permission an
administrator granted a group later is never taken away by this migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from feedback.roles import GROUP_PERMISSIONS

def create_groups(apps, schema_editor):
    db_alias = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db_alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(db_alias).get_or_create(name=name)
        permissions = Permission.objects.using(db_alias).filter(content_type__app_label="feedback", codename__in=codenames)
        group.permissions.add(*permissions)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("feedback", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
