"""The dispositions partitioned by month of ``decided_at`` (PostgreSQL; SQLite keeps a plain table).

``inventory.partitioning`` rebuilds the table as it stands when this runs (columns, indexes,
foreign keys and triggers other migrations added are carried over) with its rows moved:
primary key ``(id, decided_at)``, one partition per month holding rows, the current month
and three ahead; the append-only triggers cover every partition. No foreign key points to
the dispositions (the rebuild refuses to run if one does). The Django model's state does not
change: its primary key is still ``id`` (unique on its own: one sequence).
"""

from django.db import migrations

from inventory.partitioning import partition_table, unpartition_table

TABLE = "circularity_disposition"


def forwards(apps, schema_editor):
    partition_table(schema_editor, TABLE, "decided_at")


def backwards(apps, schema_editor):
    unpartition_table(schema_editor, TABLE, "decided_at")


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0017_snapshot_long_format"),
        ("inventory", "0012_event_keys_and_partitions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
