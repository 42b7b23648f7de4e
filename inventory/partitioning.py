"""Turn a plain table into a monthly-partitioned one, and back (migrations; PostgreSQL only).

``partition_table`` rebuilds the table as it finds it, so it works whatever columns,
indexes, foreign keys and triggers other migrations added before it runs:

1. turn each foreign key that points to the table into one to ``(id, key)`` (a foreign key
   to a partitioned table must reference a unique key that includes the partition key): a
   key column beside the referencing one, filled by a trigger from the referenced row, so
   the application still writes the id alone; refuse a reference it cannot turn (several
   columns); see docs/scaling.md;
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
    if references:  # ``_hand_over`` has turned every reference it can into its own
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


# A reference to a partitioned table carries the partition key of the row it references, in
# a column of its own that this trigger fills from that row (the application does not know
# the column: Django inserts the id, as before).
REFERENCE_KEY_FUNCTION = """
CREATE OR REPLACE FUNCTION assetlife_reference_key() RETURNS trigger AS $$
DECLARE
    value timestamptz;
BEGIN
    -- TG_ARGV: the referenced table, its partition key, the referencing column, its key column.
    EXECUTE format('SELECT %I FROM %s WHERE id = $1', TG_ARGV[1], TG_ARGV[0]) INTO value
        USING (to_jsonb(NEW) ->> TG_ARGV[2])::bigint;
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[3], value));
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def _single_references(cursor, table: str) -> list[tuple[str, str, str, bool]]:
    """(table, constraint, column, column NOT NULL) of each one-column foreign key to ``table``."""
    return _rows(
        cursor,
        """
        SELECT c.conrelid::regclass::text, c.conname, a.attname, a.attnotnull
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.confrelid = %s::regclass AND c.contype = 'f' AND c.conparentid = 0 AND cardinality(c.conkey) = 1
        ORDER BY 1, 2
        """,
        [table],
    )


def _hand_over(cursor, table: str, key: str) -> list[tuple[str, str, str, str]]:
    """Turn each one-column foreign key to ``table`` into one that will reference
    ``(id, key)``: a key column beside it, filled for existing rows and by a trigger for new
    ones; the old constraint dropped. Returns what ``_take_back`` needs to add the new ones."""
    cursor.execute(REFERENCE_KEY_FUNCTION)
    handed = []
    for source, name, column, not_null in _single_references(cursor, table):
        shadow = f"{column.removesuffix('_id')}_{key}"
        cursor.execute(f'ALTER TABLE {source} ADD COLUMN "{shadow}" timestamptz')
        cursor.execute(f'UPDATE {source} s SET "{shadow}" = t.{key} FROM {table} t WHERE t.id = s."{column}"')
        if not_null:
            cursor.execute(f'ALTER TABLE {source} ALTER COLUMN "{shadow}" SET NOT NULL')
        cursor.execute(f'ALTER TABLE {source} DROP CONSTRAINT "{name}"')
        cursor.execute(
            f'CREATE TRIGGER "{source}_{shadow}" BEFORE INSERT OR UPDATE OF "{column}" ON {source} '
            f"FOR EACH ROW EXECUTE FUNCTION assetlife_reference_key('{table}', '{key}', '{column}', '{shadow}')"
        )
        handed.append((source, name, column, shadow))
    return handed


def _take_back(cursor, table: str, key: str, handed) -> None:
    """The composite foreign keys, once ``table`` is partitioned. ``MATCH FULL``: a row that
    names an id must carry its key (the trigger found the row), or it is refused."""
    for source, name, column, shadow in handed:
        cursor.execute(
            f'ALTER TABLE {source} ADD CONSTRAINT "{name}" FOREIGN KEY ("{column}", "{shadow}") '
            f"REFERENCES {table} (id, {key}) MATCH FULL DEFERRABLE INITIALLY DEFERRED"
        )


def _composite_references(cursor, table: str, key: str) -> list[tuple[str, str, str, str]]:
    """The references ``_take_back`` made: (table, constraint, column, key column)."""
    return _rows(
        cursor,
        """
        SELECT c.conrelid::regclass::text, c.conname, a.attname, b.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute b ON b.attrelid = c.conrelid AND b.attnum = c.conkey[2]
        WHERE c.confrelid = %s::regclass AND c.contype = 'f' AND c.conparentid = 0 AND cardinality(c.conkey) = 2
          AND b.attname = regexp_replace(a.attname, '_id$', '') || '_' || %s
        ORDER BY 1, 2
        """,
        [table, key],
    )


def partition_table(schema_editor, table: str, key: str, *, now: dt.datetime | None = None) -> list[dt.date]:
    """Rebuild ``table`` partitioned by month of ``key``, rows moved; return its partitions' months.

    A foreign key that points to it (``LotItem.disposition``) becomes one to ``(id, key)``
    (``_hand_over``, ``_take_back``; docs/scaling.md)."""
    if schema_editor.connection.vendor != "postgresql":
        return []
    aside = f"{table}__plain"
    with schema_editor.connection.cursor() as cursor:
        handed = _hand_over(cursor, table, key)
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
        _take_back(cursor, table, key, handed)
    return sorted(months)


def unpartition_table(schema_editor, table: str, key: str) -> None:
    """The reverse of ``partition_table``: one plain table again, primary key ``id``."""
    if schema_editor.connection.vendor != "postgresql":
        return
    aside = f"{table}__partitioned"
    with schema_editor.connection.cursor() as cursor:
        references = _composite_references(cursor, table, key)
        for source, name, _column, shadow in references:
            cursor.execute(f'ALTER TABLE {source} DROP CONSTRAINT "{name}"')
            cursor.execute(f'DROP TRIGGER "{source}_{shadow}" ON {source}')
            cursor.execute(f'ALTER TABLE {source} DROP COLUMN "{shadow}"')
        found = _definition(cursor, table)
        next_id = _set_aside(cursor, table, found, aside)
        cursor.execute(f"CREATE TABLE {table} (LIKE {aside} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS)")
        _own_sequence(cursor, table, found, next_id)
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{found["pkey"]}" PRIMARY KEY (id)')
        _valid_checks(cursor, table, found)
        # The partitions' own TRUNCATE guards go with them; the table's own are rebuilt.
        _finish(cursor, table, found, aside)
        for source, name, column, _ in references:
            cursor.execute(
                f'ALTER TABLE {source} ADD CONSTRAINT "{name}" FOREIGN KEY ("{column}") '
                f"REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED"
            )
