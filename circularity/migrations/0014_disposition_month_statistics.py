"""Statistics on the month of a disposition (PostgreSQL), so its sums are hashed, not sorted.

The metrics group dispositions by ``date_trunc('month', decided_at AT TIME ZONE 'UTC')``
(``TruncMonth`` in UTC) and by route (``circularity.metrics.sums``). PostgreSQL keeps no
statistics on an expression unless asked, guesses that a year of rows holds thousands
of (month, route) groups, and sorts them all; with these statistics (collected by the next
``ANALYZE``, autovacuum's or the bulk loader's) it knows there are a few dozen months and
aggregates in a hash table, as it does for the plain columns (site, center, category).
The expression must read as Django writes it: the planner matches it by its form.
"""

from django.db import migrations

CREATE = """
CREATE STATISTICS IF NOT EXISTS disposition_month_stats
    ON (date_trunc('month'::text, (decided_at AT TIME ZONE 'UTC'::text)))
    FROM circularity_disposition
"""
DROP = "DROP STATISTICS IF EXISTS disposition_month_stats"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("circularity", "0013_snapshot_long_format")]

    operations = [migrations.RunPython(forwards, backwards)]
