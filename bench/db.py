"""The benchmark database: created fresh for a run, loaded with COPY, indexes rebuilt after."""

from __future__ import annotations

import contextlib
import os
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/assetlife_bench"


def bench_url(size: str) -> str:
    """The database URL of a run: ``BENCH_DATABASE_URL`` or a database named after the size."""
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or "assetlife_bench"
    return urlunparse(parsed._replace(path=f"/{name}_{size}"))


def dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def recreate_database(url: str) -> None:
    parsed = urlparse(dsn(url))
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    parsed = urlparse(dsn(url))
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parsed.path.lstrip("/"))))


def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(dsn(url))


@contextlib.contextmanager
def indexes_dropped(conn: psycopg.Connection, table: str):
    """Drop a table's secondary indexes for a bulk load and rebuild them after (as pg_restore does).

    Unique and primary-key indexes stay: they back constraints the load must respect.
    """
    rows = conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = %s AND NOT x.indisunique AND NOT x.indisprimary
        """,
        [table],
    ).fetchall()
    # A partitioned table's index reads back as ``CREATE INDEX … ON ONLY t``, which would
    # build no index on its partitions: rebuilt on the whole tree instead.
    rows = [(name, definition.replace(" ON ONLY ", " ON ")) for name, definition in rows]
    for name, _ in rows:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    conn.commit()
    try:
        yield
    finally:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in rows:
            conn.execute(definition)
        conn.commit()
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
        conn.commit()


def reset_sequence(conn: psycopg.Connection, table: str) -> None:
    conn.execute(
        sql.SQL("SELECT setval(pg_get_serial_sequence({t}, 'id'), COALESCE((SELECT max(id) FROM {i}), 1))").format(
            t=sql.Literal(table), i=sql.Identifier(table)
        )
    )
    conn.commit()


def table_size(conn: psycopg.Connection, table: str) -> int:
    """Bytes of the table with its indexes (of all its partitions when it is partitioned)."""
    return conn.execute(
        "SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(%s::regclass)", [table]
    ).fetchone()[0]


def monthly_partitions(conn: psycopg.Connection, table: str, first, last) -> None:
    """Create the partitions of months ``first`` … ``last`` (dates) when ``table`` is partitioned:
    a bulk load by COPY writes past the ORM, which would create a backdated month itself."""
    from inventory.partitions import add_months, create_partition_sql, month_of

    if conn.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table]).fetchone()[0] != "p":
        return
    month = month_of(first)
    while month <= month_of(last):
        conn.execute(create_partition_sql(table, month))
        month = add_months(month, 1)
    conn.commit()
