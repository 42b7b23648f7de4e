"""Transitions become HOT updates of the asset rows (issue 14, "Faster ingest", step 2).

A transition changes ``status``, ``decommissioned_at``, ``last_event_at`` and
``updated_at``. While ``status`` was in an index (``(status, site)`` and
``(site, status)``), every such update wrote a new entry into every index of the table.
Now no index holds a column a plain transition changes: the two status indexes give way
to one on ``site``; PostgreSQL can then keep the new row version on the same page (a
heap-only tuple) when the page has room, which the fill factor leaves. SQLite has no
fill factor; there the migration only swaps the indexes. See docs/performance.md.
"""

from django.db import migrations, models

FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE inventory_asset SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE inventory_asset RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0011_partmodel_hazardous_focus_materials")]

    operations = [
        migrations.RemoveIndex(model_name="asset", name="asset_status_site_idx"),
        migrations.RemoveIndex(model_name="asset", name="asset_site_status_idx"),
        migrations.AddIndex(model_name="asset", index=models.Index(fields=["site"], name="asset_site_idx")),
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
