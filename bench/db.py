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
    return conn.execute("SELECT pg_total_relation_size(%s)", [table]).fetchone()[0]
