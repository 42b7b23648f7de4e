"""``AccessScope`` joins the inventory (from the API app), in the tables it had.

State only, for the tables: ``api.0002`` dropped the model from the API's state, this
adds it here with ``db_table = "api_accessscope"`` (its many-to-many tables keep their
names too). The content type moves with it, so the permissions granted on access scopes
and the admin's log entries stay attached.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="inventory", model="accessscope").exists():
        ContentType.objects.filter(app_label="api", model="accessscope").update(app_label="inventory")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="api", model="accessscope").exists():
        ContentType.objects.filter(app_label="inventory", model="accessscope").update(app_label="api")


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_access_scope_moved_to_inventory"),
        ("circularity", "0008_asset_at_center"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0006_partial_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessScope",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "note",
                            models.CharField(
                                blank=True, help_text="Why this user is limited (e.g. vendor portal).", max_length=200
                            ),
                        ),
                        (
                            "centers",
                            models.ManyToManyField(
                                blank=True,
                                help_text="What is held at (or bound for) these circular centers is visible.",
                                related_name="access_scopes",
                                to="circularity.circularcenter",
                            ),
                        ),
                        (
                            "sites",
                            models.ManyToManyField(
                                blank=True,
                                help_text="What lies at these sites is visible.",
                                related_name="access_scopes",
                                to="inventory.site",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="access_scope",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "access scope",
                        "ordering": ["user__username"],
                        "db_table": "api_accessscope",
                    },
                ),
            ]
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
