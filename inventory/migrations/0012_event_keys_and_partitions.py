"""Idempotency keys in a table of their own; the events partitioned by month (PostgreSQL).

1. ``inventory_eventkey`` (``external_id`` primary key, the event's ``id`` and
   ``recorded_at``) replaces the partial unique index on the events' ``external_id``: a
   unique index on a partitioned table must include the partition key, which would let one
   key be used once per month. A trigger on the events writes the key in the inserting
   statement, on PostgreSQL and on SQLite; existing keys are copied. The events keep their
   ``external_id`` (what the integrator sent) with a plain partial index for lookups.
2. On PostgreSQL ``inventory_lifecycleevent`` is rebuilt partitioned by month of
   ``recorded_at`` with its rows moved (``inventory.partitioning``): primary key
   ``(id, recorded_at)``, one partition per month holding rows, the current month and
   three ahead, the append-only triggers on every partition. The key table is append-only
   too. It holds ``(event_id, recorded_at)``, the event's primary key on PostgreSQL, but
   no declared foreign key: the trigger writes it from the inserted row itself and neither
   table can lose a row, so it cannot dangle, while a declared one would cost a check per
   keyed event at commit and answer a ``TRUNCATE`` of the events before their append-only
   guard does (docs/scaling.md). SQLite keeps plain tables.
"""

from django.db import migrations, models

from inventory.append_only import CREATE_FUNCTION, protect_sql, unprotect_sql
from inventory.partitioning import partition_table, unpartition_table

EVENTS = "inventory_lifecycleevent"
KEYS = "inventory_eventkey"

KEY_TRIGGER = {
    "postgresql": f"""
CREATE OR REPLACE FUNCTION assetlife_event_key() RETURNS trigger AS $$
BEGIN
    INSERT INTO {KEYS} (external_id, event_id, recorded_at) VALUES (NEW.external_id, NEW.id, NEW.recorded_at);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {EVENTS}_key AFTER INSERT ON {EVENTS}
    FOR EACH ROW WHEN (NEW.external_id IS NOT NULL) EXECUTE FUNCTION assetlife_event_key();
""",
    "sqlite": f"""
CREATE TRIGGER {EVENTS}_key AFTER INSERT ON {EVENTS}
    FOR EACH ROW WHEN NEW.external_id IS NOT NULL
BEGIN
    INSERT INTO {KEYS} (external_id, event_id, recorded_at) VALUES (NEW.external_id, NEW.id, NEW.recorded_at);
END;
""",
}
DROP_KEY_TRIGGER = {
    "postgresql": f"DROP TRIGGER IF EXISTS {EVENTS}_key ON {EVENTS}; DROP FUNCTION IF EXISTS assetlife_event_key();",
    "sqlite": f"DROP TRIGGER IF EXISTS {EVENTS}_key;",
}


def keys_forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(
        f"INSERT INTO {KEYS} (external_id, event_id, recorded_at) "
        f"SELECT external_id, id, recorded_at FROM {EVENTS} WHERE external_id IS NOT NULL",
        params=None,
    )
    if vendor in KEY_TRIGGER:
        schema_editor.execute(KEY_TRIGGER[vendor], params=None)


def keys_backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in DROP_KEY_TRIGGER:
        schema_editor.execute(DROP_KEY_TRIGGER[vendor], params=None)


def partition_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The guard names the partitioned table when a partition refuses.
        schema_editor.execute(CREATE_FUNCTION, params=None)
        partition_table(schema_editor, EVENTS, "recorded_at")
        schema_editor.execute(protect_sql(KEYS), params=None)


def partition_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(unprotect_sql(KEYS), params=None)
        unpartition_table(schema_editor, EVENTS, "recorded_at")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0011_partmodel_hazardous_focus_materials")]

    operations = [
        migrations.CreateModel(
            name="EventKey",
            fields=[
                ("external_id", models.CharField(max_length=128, primary_key=True, serialize=False)),
                ("recorded_at", models.DateTimeField(help_text="The event's partition key.")),
                (
                    "event",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="inventory.lifecycleevent",
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        migrations.RemoveConstraint(model_name="lifecycleevent", name="event_external_id_unique"),
        migrations.AddIndex(
            model_name="lifecycleevent",
            index=models.Index(
                condition=models.Q(("external_id__isnull", False)), fields=["external_id"], name="event_external_id_idx"
            ),
        ),
        migrations.RunPython(keys_forwards, keys_backwards),
        migrations.RunPython(partition_forwards, partition_backwards),
    ]
