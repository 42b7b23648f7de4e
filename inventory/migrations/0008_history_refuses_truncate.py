"""The lifecycle history refuses TRUNCATE as it refuses UPDATE and DELETE (PostgreSQL).

0002 refused UPDATE and DELETE with a row trigger; TRUNCATE fires no row trigger, and
wiped the history. The rule now has one trigger function for every append-only table
(``inventory.append_only``): a row trigger for UPDATE and DELETE, a statement trigger for
TRUNCATE. The circularity records take the same triggers in their own migration.
"""

from django.db import migrations

from inventory.append_only import CREATE_FUNCTION, protect_sql, unprotect_sql

TABLE = "inventory_lifecycleevent"

DROP_0002 = """
DROP TRIGGER IF EXISTS inventory_event_append_only ON inventory_lifecycleevent;
DROP FUNCTION IF EXISTS inventory_event_append_only();
"""

RESTORE_0002 = """
CREATE OR REPLACE FUNCTION inventory_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'inventory_lifecycleevent is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inventory_event_append_only
    BEFORE UPDATE OR DELETE ON inventory_lifecycleevent
    FOR EACH ROW EXECUTE FUNCTION inventory_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_0002 + CREATE_FUNCTION + protect_sql(TABLE), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(unprotect_sql(TABLE) + RESTORE_0002, params=None)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0007_access_scope")]

    operations = [migrations.RunPython(forwards, backwards)]
