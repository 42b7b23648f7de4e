"""Dispositions and sanitization records are append-only, as the lifecycle events are.

On PostgreSQL the same trigger function as the events (``inventory.append_only``, created
by inventory 0007) refuses UPDATE, DELETE and TRUNCATE on both tables. Nothing in the
product edits or deletes either (their admin pages are read-only, their API create-only);
a mistake is answered with a new record, so what was reported stays what was decided.
"""

from django.db import migrations

from inventory.append_only import protect_sql, unprotect_sql

TABLES = ["circularity_disposition", "circularity_sanitizationrecord"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("".join(protect_sql(table) for table in TABLES), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("".join(unprotect_sql(table) for table in TABLES), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0009_report_claim_sweep"),
        ("inventory", "0008_history_refuses_truncate"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
