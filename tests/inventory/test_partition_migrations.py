"""The partitioning migrations move the rows a database already holds, and are reversible (PostgreSQL).

Rows are written before the migrations as the product wrote them (ids, idempotency keys,
moments in several months), then: the same rows, ids and keys afterwards, in the partitions
of their months; ids continue from the old sequence; migrating back gives plain tables with
the same rows again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("inventory", "0010_moment_range_constraints"), ("circularity", "0011_moment_and_target_range_constraints")]
EVENTS, DISPOSITIONS, KEYS = "inventory_lifecycleevent", "circularity_disposition", "inventory_eventkey"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def kind(table: str) -> str:
    return rows("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])[0][0]


def load_history():
    """Two events with keys and one without, in three months; two dispositions in two months."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO inventory_site (code, name, region, country) VALUES ('S1', 'S', 'r', 'NL')")
        cursor.execute("INSERT INTO circularity_circularcenter (code, name) VALUES ('CC', 'C') RETURNING id")
        center = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO inventory_partmodel (manufacturer, model_number, category, mass_kg, data_bearing) "
            "VALUES ('M', 'N', 'server', 1, false)"
        )
        cursor.execute(
            "INSERT INTO inventory_asset (serial_number, part_model_id, site_id, status, created_at, updated_at) "
            "SELECT 'OLD-1', p.id, s.id, 'recycled', now(), now() FROM inventory_partmodel p, inventory_site s "
            "RETURNING id, site_id"
        )
        asset, site = cursor.fetchone()
        for recorded, key in (("2019-05-03", "k-1"), ("2023-11-30 23:59:59", "k-2"), ("2023-12-01", None)):
            cursor.execute(
                f"INSERT INTO {EVENTS} (asset_id, action, from_status, to_status, occurred_at, recorded_at, source, "
                "location, note, external_id) VALUES (%s, 'transition', 'deployed', 'deployed', %s, %s, 'api', "
                "'S1', '', %s)",
                [asset, f"{recorded}+00", f"{recorded}+00", key],
            )
        for decided in ("2020-02-29 10:00", "2024-06-30 23:00"):
            cursor.execute(
                f"INSERT INTO {DISPOSITIONS} (asset_id, tree_root_id, center_id, site_id, category, route, "
                "decided_at, mass_kg, vendor, certificate_id, recorded_at) VALUES (%s, %s, %s, %s, 'server', "
                "'recycle', %s, 1, '', '', now())",
                [asset, asset, center, site, f"{decided}+00"],
            )


def test_the_migrations_move_existing_rows_into_monthly_partitions_and_back():
    migrate(BEFORE)
    try:
        load_history()
        events = rows(f"SELECT id, recorded_at, external_id FROM {EVENTS} ORDER BY id")
        decisions = rows(f"SELECT id, decided_at FROM {DISPOSITIONS} ORDER BY id")

        migrate(latest())

        assert (kind(EVENTS), kind(DISPOSITIONS)) == ("p", "p")
        assert rows(f"SELECT id, recorded_at, external_id FROM {EVENTS} ORDER BY id") == events
        assert rows(f"SELECT id, decided_at FROM {DISPOSITIONS} ORDER BY id") == decisions
        placed = rows(f"SELECT tableoid::regclass::text FROM {EVENTS} ORDER BY id")
        assert [name for (name,) in placed] == [f"{EVENTS}_p201905", f"{EVENTS}_p202311", f"{EVENTS}_p202312"]
        placed = rows(f"SELECT tableoid::regclass::text FROM {DISPOSITIONS} ORDER BY id")
        assert [name for (name,) in placed] == [f"{DISPOSITIONS}_p202002", f"{DISPOSITIONS}_p202406"]
        # The keys moved to their table, each with its event.
        assert rows(f"SELECT external_id, event_id FROM {KEYS} ORDER BY 1") == [
            ("k-1", events[0][0]),
            ("k-2", events[1][0]),
        ]
        # Ids continue from the old sequence.
        (next_id,) = rows(f"SELECT nextval(pg_get_serial_sequence('{EVENTS}', 'id'))")[0]
        assert next_id > events[-1][0]

        migrate(BEFORE)

        assert (kind(EVENTS), kind(DISPOSITIONS)) == ("r", "r")
        assert rows(f"SELECT id, recorded_at, external_id FROM {EVENTS} ORDER BY id") == events
        assert rows(f"SELECT id, decided_at FROM {DISPOSITIONS} ORDER BY id") == decisions
        primary = rows(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [EVENTS],
        )
        assert primary == [("PRIMARY KEY (id)",)]
    finally:
        migrate(latest())
