"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the lifecycle events table.

The ORM already refuses (``EventQuerySet``, ``LifecycleEvent.save``/``delete``); the
trigger makes the history append-only against raw SQL and other clients too. SQLite
gets no trigger: Django's test flush deletes rows there, and production runs PostgreSQL.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION inventory_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'inventory_lifecycleevent is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS inventory_event_append_only ON inventory_lifecycleevent;
CREATE TRIGGER inventory_event_append_only
    BEFORE UPDATE OR DELETE ON inventory_lifecycleevent
    FOR EACH ROW EXECUTE FUNCTION inventory_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS inventory_event_append_only ON inventory_lifecycleevent;
DROP FUNCTION IF EXISTS inventory_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
