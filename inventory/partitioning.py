"""Turn a plain table into a monthly-partitioned one, and back (migrations; PostgreSQL only).

``partition_table`` rebuilds the table as it finds it, so it works whatever columns,
indexes, foreign keys and triggers other migrations added before it runs:

1. refuse when a foreign key points to the table (a foreign key to a partitioned table must
   reference a unique key that includes the partition key: such a reference is made by the
   migration that adds it, as ``inventory_eventkey`` does; see docs/scaling.md);
2. read its indexes, check constraints, foreign keys and triggers; rename it aside;
3. create the partitioned table (``LIKE`` the old one: columns, defaults, storage), its
   primary key ``(id, key)``, its id sequence (an identity column cannot be partitioned in
   PostgreSQL 15: a sequence owned by the column instead, as ``serial`` does), the check
   constraints that held (so each moved row is checked as it is inserted), and one
   partition per month that holds rows plus the current month and ``AHEAD`` after it;
4. move the rows (``INSERT … SELECT``), add the check constraints old rows break
   ``NOT VALID`` (as ``inventory.migration_operations`` did on the plain table), drop the
   old table, then build the indexes (once per partition, after the load), the foreign keys
   and the triggers; analyse.

``unpartition_table`` is its reverse (the migrations are reversible).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .partitions import AHEAD, add_months, create_partition_sql, month_of


class PartitioningRefused(Exception):
    """The table cannot be partitioned as it stands (a foreign key points to it)."""

    def __init__(self, table: str, references: list[tuple[str, str]]):
        self.table = table
        self.references = references
        names = ", ".join(f"{source}.{name}" for source, name in references)
        super().__init__(
            f"{table} cannot be partitioned while foreign keys point to it ({names}): a foreign key to a "
            "partitioned table must reference (id, partition key). Drop them first and re-add them as "
            "composite keys (docs/scaling.md)."
        )


def _rows(cursor, query: str, params=None) -> list[tuple]:
    cursor.execute(query, params)
    return cursor.fetchall()


def _definition(cursor, table: str) -> dict:
    """What has to be rebuilt: indexes, checks, foreign keys, triggers, the id sequence."""
    references = _rows(
        cursor,
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE confrelid = %s::regclass AND contype = 'f' AND conparentid = 0",
        [table],
    )
    if references:
        raise PartitioningRefused(table, references)
    indexes = [
        definition.replace(" ON ONLY ", " ON ")
        for (definition,) in _rows(
            cursor,
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY x.indexrelid",
            [table],
        )
    ]
    index_names = [
        name
        for (name,) in _rows(
            cursor,
            "SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
            [table],
        )
    ]
    checks = _rows(
        cursor,
        "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'c' ORDER BY conname",
        [table],
    )
    foreign_keys = _rows(
        cursor,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    triggers = [
        definition
        for (definition,) in _rows(
            cursor,
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0 ORDER BY tgname",
            [table],
        )
    ]
    trigger_names = [
        name
        for (name,) in _rows(
            cursor,
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0",
            [table],
        )
    ]
    (sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0]
    (identity,) = _rows(
        cursor, "SELECT attidentity <> '' FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'", [table]
    )[0]
    (id_type,) = _rows(
        cursor,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'",
        [table],
    )[0]
    (pkey,) = _rows(
        cursor, "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table]
    )[0]
    return {
        "indexes": indexes,
        "index_names": index_names,
        "checks": checks,
        "foreign_keys": foreign_keys,
        "triggers": triggers,
        "trigger_names": trigger_names,
        "sequence": sequence,
        "identity": identity,
        "id_type": id_type,
        "pkey": pkey,
    }


def _set_aside(cursor, table: str, found: dict, aside: str) -> int:
    """Rename ``table`` to ``aside``, free the names the new table takes; return the next id."""
    cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) FROM {found['sequence']}")
    next_id = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {table} RENAME TO {aside}")
    for name in found["trigger_names"]:
        cursor.execute(f'DROP TRIGGER "{name}" ON {aside}')
    for name in found["index_names"]:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    cursor.execute(f'ALTER TABLE {aside} DROP CONSTRAINT "{found["pkey"]}"')
    if found["identity"]:
        cursor.execute(f"ALTER TABLE {aside} ALTER COLUMN id DROP IDENTITY")  # drops its sequence
    else:
        cursor.execute(f"ALTER SEQUENCE {found['sequence']} OWNED BY NONE")
        cursor.execute(f"ALTER TABLE {aside} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"DROP SEQUENCE {found['sequence']}")
    return next_id


def _own_sequence(cursor, table: str, found: dict, next_id: int) -> None:
    sequence = f"{table}_id_seq"
    cursor.execute(f"CREATE SEQUENCE {sequence} AS {found['id_type']} OWNED BY {table}.id")
    cursor.execute(f"SELECT setval('{sequence}', %s, false)", [max(next_id, 1)])
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{sequence}'::regclass)")


def _finish(cursor, table: str, found: dict, aside: str) -> None:
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {aside}")
    for name, definition, validated in found["checks"]:
        if not validated:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
    cursor.execute(f"DROP TABLE {aside}")
    for definition in found["indexes"]:
        cursor.execute(definition)
    for name, definition in found["foreign_keys"]:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for definition in found["triggers"]:
        cursor.execute(definition)
    cursor.execute(f"ANALYZE {table}")


def _valid_checks(cursor, table: str, found: dict) -> None:
    for name, definition, validated in found["checks"]:
        if validated:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def partition_table(schema_editor, table: str, key: str, *, now: dt.datetime | None = None) -> list[dt.date]:
    """Rebuild ``table`` partitioned by month of ``key``, rows moved; return its partitions' months."""
    if schema_editor.connection.vendor != "postgresql":
        return []
    aside = f"{table}__plain"
    with schema_editor.connection.cursor() as cursor:
        found = _definition(cursor, table)
        next_id = _set_aside(cursor, table, found, aside)
        cursor.execute(
            f"CREATE TABLE {table} (LIKE {aside} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS) "
            f"PARTITION BY RANGE ({key})"
        )
        _own_sequence(cursor, table, found, next_id)
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{found["pkey"]}" PRIMARY KEY (id, {key})')
        _valid_checks(cursor, table, found)
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {key} AT TIME ZONE 'UTC')::date FROM {aside} WHERE {key} IS NOT NULL"
        )
        current = month_of(now or timezone.now())
        months = {row[0] for row in cursor.fetchall()} | {add_months(current, n) for n in range(AHEAD + 1)}
        for month in sorted(months):
            cursor.execute(create_partition_sql(table, month))
        _finish(cursor, table, found, aside)
    return sorted(months)


def unpartition_table(schema_editor, table: str, key: str) -> None:
    """The reverse of ``partition_table``: one plain table again, primary key ``id``."""
    if schema_editor.connection.vendor != "postgresql":
        return
    aside = f"{table}__partitioned"
    with schema_editor.connection.cursor() as cursor:
        found = _definition(cursor, table)
        next_id = _set_aside(cursor, table, found, aside)
        cursor.execute(f"CREATE TABLE {table} (LIKE {aside} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS)")
        _own_sequence(cursor, table, found, next_id)
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{found["pkey"]}" PRIMARY KEY (id)')
        _valid_checks(cursor, table, found)
        # The partitions' own TRUNCATE guards go with them; the table's own are rebuilt.
        _finish(cursor, table, found, aside)
