from django.db import migrations

from assetlife.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0002_initial"),
        ("inventory", "0002_event_append_only_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
