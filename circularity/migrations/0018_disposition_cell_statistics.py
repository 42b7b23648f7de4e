"""Statistics on the cells the metrics group dispositions by (PostgreSQL).

The sums behind every figure (``circularity.metrics.sums``) group dispositions by period
(``date_trunc('month', decided_at AT TIME ZONE 'UTC')``, ``TruncMonth`` in UTC), route,
``hazardous`` and onsite (``vendor_id IS NULL``, ``circularity.waste.ONSITE``). PostgreSQL keeps
no statistics on an expression unless asked: it guessed that a year of dispositions held
as many groups as rows and sorted them all (1.4× the hand-written query by month). With
these statistics (collected by the next ``ANALYZE``, autovacuum's or the bulk loader's)
it knows the combinations number a few hundred, aggregates in a hash table and may split
the scan across workers. The expressions must read as Django writes them (the planner
matches them by form): when ``ONSITE`` changes, a migration replaces this object with one
on the new expression.
"""

from django.db import migrations

CREATE = """
CREATE STATISTICS IF NOT EXISTS disposition_cell_stats
    ON (date_trunc('month'::text, (decided_at AT TIME ZONE 'UTC'::text))), route, hazardous, (vendor_id IS NULL)
    FROM circularity_disposition
"""
DROP = "DROP STATISTICS IF EXISTS disposition_cell_stats"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("circularity", "0017_snapshot_long_format")]

    operations = [migrations.RunPython(forwards, backwards)]
