"""``MonthlySnapshot`` in long format: one row per (month, dimension, group, route,
hazardous, onsite) present, with units, mass and avoided carbon (issue 13).

Snapshots are derived data: the wide table is dropped and the long one created empty,
and every month's fill state is marked stale (its version bumped), so the readers answer
those months live until the nightly job (or ``manage.py refresh_snapshots --all``)
refills them. No figure changes meanwhile; only its cost does.
"""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone

ROUTES = [
    ("reuse", "Reuse (back in the fleet)"),
    ("resale", "Resale"),
    ("recycle", "Recycle"),
    ("incineration_energy_recovery", "Incineration with energy recovery"),
    ("incineration", "Incineration"),
    ("landfill", "Landfill"),
]
DIMENSIONS = [("total", "Total"), ("site", "Site"), ("center", "Circular center"), ("category", "Category")]


def mark_every_month_stale(apps, schema_editor):
    SnapshotMonth = apps.get_model("circularity", "SnapshotMonth")
    SnapshotMonth.objects.update(stale=True, marked_at=timezone.now(), version=F("version") + 1)


class Migration(migrations.Migration):
    dependencies = [("circularity", "0016_disposition_hazardous")]

    operations = [
        migrations.RunPython(mark_every_month_stale, migrations.RunPython.noop),
        migrations.DeleteModel(name="MonthlySnapshot"),
        migrations.CreateModel(
            name="MonthlySnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(help_text="First day of the month (UTC).")),
                ("dimension", models.CharField(choices=DIMENSIONS, max_length=8)),
                (
                    "group_key",
                    models.CharField(
                        blank=True, help_text="Site or center code, or category; blank for the total.", max_length=32
                    ),
                ),
                ("route", models.CharField(choices=ROUTES, max_length=32)),
                ("hazardous", models.BooleanField()),
                ("onsite", models.BooleanField(help_text="Carried out by the operator itself (no vendor).")),
                ("units", models.BigIntegerField(default=0)),
                ("mass_kg", models.DecimalField(decimal_places=3, default=0, max_digits=18)),
                ("avoided_kgco2e", models.DecimalField(decimal_places=3, default=0, max_digits=18)),
                ("computed_at", models.DateTimeField()),
            ],
            options={
                "ordering": ["month", "dimension", "group_key", "route", "hazardous", "onsite"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("month", "dimension", "group_key", "route", "hazardous", "onsite"),
                        name="snapshot_unique_month_group_cell",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("dimension__in", [value for value, _ in DIMENSIONS])),
                        name="snapshot_dimension_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("route__in", [value for value, _ in ROUTES])),
                        name="snapshot_route_valid",
                    ),
                ],
            },
        ),
    ]
