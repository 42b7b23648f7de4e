"""A disposition keeps its part model's ``hazardous`` flag at decision time (SPEC section 10).

Existing dispositions take the flag of their asset's part model now (part models only
gained it in inventory 0011, so this is the value they had when decided). Dispositions
are append-only: on PostgreSQL the guard's triggers (``inventory.append_only``) are
lifted for this one ``UPDATE`` inside the migration's transaction and put back before it
commits; only rows whose part model is hazardous are written.
"""

from django.db import migrations, models

from inventory.append_only import protect_sql, unprotect_sql
from inventory.migration_operations import AddConstraintNotValid

TABLE = "circularity_disposition"

CATEGORIES = [
    ("server", "Server"),
    ("cpu", "CPU"),
    ("gpu", "GPU"),
    ("memory", "Memory"),
    ("ssd", "SSD"),
    ("hdd", "HDD"),
    ("nic", "NIC"),
    ("psu", "PSU"),
    ("motherboard", "Motherboard"),
    ("fan", "Fan"),
    ("chassis", "Chassis"),
    ("cable", "Cable"),
    ("battery", "Battery"),
    ("other", "Other"),
]

BACKFILL = f"""
UPDATE {TABLE} SET hazardous = TRUE
WHERE asset_id IN (
    SELECT asset.id FROM inventory_asset asset
    JOIN inventory_partmodel part_model ON part_model.id = asset.part_model_id
    WHERE part_model.hazardous
)
"""


def backfill(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(unprotect_sql(TABLE), params=None)
    schema_editor.execute(BACKFILL, params=None)
    if postgresql:
        schema_editor.execute(protect_sql(TABLE), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0015_sanitization_batches_proceeds"),
        ("inventory", "0011_partmodel_hazardous_focus_materials"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="disposition", name="disposition_category_valid"),
        migrations.AddField(
            model_name="disposition",
            name="hazardous",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Its part model's hazardous flag when it was decided (GRI 306, ESRS E5).",
            ),
        ),
        migrations.AlterField(
            model_name="disposition",
            name="category",
            field=models.CharField(choices=CATEGORIES, max_length=16),
        ),
        AddConstraintNotValid(
            model_name="disposition",
            constraint=models.CheckConstraint(
                condition=models.Q(("category__in", [value for value, _ in CATEGORIES])),
                name="disposition_category_valid",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
