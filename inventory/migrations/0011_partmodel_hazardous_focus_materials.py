"""Part models say whether they are hazardous waste and which R2v3 focus materials they
contain (SPEC section 10); the category ``battery`` exists.

Existing part models take their category's defaults (``inventory.choices``): batteries
are hazardous (none existed before this migration), ssd and hdd carry ``data_storage``.
"""

from django.db import migrations, models

import inventory.models

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

# The defaults of inventory.choices as of this migration (a migration keeps its own copy).
DATA_STORAGE_CATEGORIES = ["ssd", "hdd"]


def category_defaults(apps, schema_editor):
    PartModel = apps.get_model("inventory", "PartModel")
    PartModel.objects.filter(category__in=DATA_STORAGE_CATEGORIES).update(focus_materials=["data_storage"])
    PartModel.objects.filter(category="battery").update(hazardous=True, focus_materials=["battery"])


class Migration(migrations.Migration):
    dependencies = [("inventory", "0010_moment_range_constraints")]

    operations = [
        migrations.RemoveConstraint(model_name="partmodel", name="partmodel_category_valid"),
        migrations.AddField(
            model_name="partmodel",
            name="focus_materials",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="R2v3 focus materials it contains: battery, circuit_board, mercury, pcb_capacitor, crt, "
                "data_storage.",
                validators=[inventory.models.validate_focus_materials],
            ),
        ),
        migrations.AddField(
            model_name="partmodel",
            name="hazardous",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Hazardous waste when discarded (GRI 306, ESRS E5); batteries are by default.",
            ),
        ),
        migrations.AlterField(
            model_name="partmodel", name="category", field=models.CharField(choices=CATEGORIES, max_length=16)
        ),
        migrations.AddConstraint(
            model_name="partmodel",
            constraint=models.CheckConstraint(
                condition=models.Q(("category__in", [value for value, _ in CATEGORIES])),
                name="partmodel_category_valid",
            ),
        ),
        migrations.RunPython(category_defaults, migrations.RunPython.noop),
    ]
