"""On PostgreSQL, serial numbers, asset tags and idempotency keys compare byte by byte.

Django gives every unique ``varchar`` a second, ``varchar_pattern_ops`` index so that
``LIKE 'prefix%'`` can use an index. With the "C" collation the unique index itself
serves equality, prefix search and ordering, so the second index goes: one index fewer
to write for every asset a transition changes and every event appended. Identifiers are
ASCII, for which byte order is the natural order. SQLite compares bytes already.
"""

from django.db import migrations

COLUMNS = [
    ("inventory_asset", "serial_number", 64),
    ("inventory_asset", "asset_tag", 64),
    ("inventory_lifecycleevent", "external_id", 128),
]


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column, length in COLUMNS:
            cursor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
                [table, f"{table}_{column}_%_like"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')


def to_default_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column, length in COLUMNS:
            cursor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "default"')
            cursor.execute(f'CREATE INDEX "{table}_{column}_like" ON {table} ({column} varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [("inventory", "0004_event_asset_index_covered")]

    operations = [migrations.RunPython(to_c_collation, to_default_collation)]
