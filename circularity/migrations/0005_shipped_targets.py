"""The targets of SPEC section 6, shipped as data (editable in the admin)."""

from decimal import Decimal

from django.db import migrations

TARGETS = [
    {
        "metric": "reuse_recycle_rate",
        "comparison": "gte",
        "target_value": Decimal("0.90"),
        "target_fiscal_year": 2030,
        "baseline_fiscal_year": 2022,
        "baseline_value": Decimal("0.82"),
        "description": "Reuse and recycle 90 % of servers and components by 2030",
    },
    {
        "metric": "avg_plastic_content",
        "comparison": "lte",
        "target_value": Decimal("0"),
        "target_fiscal_year": 2025,
        "baseline_fiscal_year": 2021,
        "baseline_value": Decimal("0.047"),
        "description": "Zero single-use plastics in device packaging by 2025",
    },
]


def add_targets(apps, schema_editor):
    Target = apps.get_model("circularity", "Target")
    for values in TARGETS:
        Target.objects.get_or_create(
            metric=values["metric"], target_fiscal_year=values["target_fiscal_year"], defaults=values
        )


def remove_targets(apps, schema_editor):
    Target = apps.get_model("circularity", "Target")
    for values in TARGETS:
        Target.objects.filter(metric=values["metric"], target_fiscal_year=values["target_fiscal_year"]).delete()


class Migration(migrations.Migration):
    dependencies = [("circularity", "0004_snapshot_version")]

    operations = [migrations.RunPython(add_targets, remove_targets)]
