"""The range constraints' migrations succeed on a database that already holds bad rows.

History is append-only and is not rewritten by a migration: on PostgreSQL a constraint
that old rows break is added NOT VALID (new rows are checked; ``check_data`` lists the old
ones). ``last_event_at`` is filled from the events.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("inventory", "0008_history_refuses_truncate"), ("circularity", "0010_records_append_only")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def validated(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT convalidated FROM pg_constraint WHERE conname = %s", [name])
        return cursor.fetchone()[0]


def test_old_rows_out_of_range_leave_the_constraint_not_valid_and_new_ones_are_refused(capsys):
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO inventory_site (code, name, region, country) VALUES ('S1', 'S', 'r', 'NL')")
            cursor.execute(
                "INSERT INTO inventory_partmodel (manufacturer, model_number, category, mass_kg, data_bearing) "
                "VALUES ('M', 'N', 'server', 1, false)"
            )
            cursor.execute(
                "INSERT INTO inventory_asset (serial_number, part_model_id, site_id, status, created_at, updated_at) "
                "SELECT 'OLD-1', p.id, s.id, 'deployed', now(), now() FROM inventory_partmodel p, inventory_site s "
                "RETURNING id"
            )
            asset_id = cursor.fetchone()[0]
            for moment in ("0001-12-31 10:00:00+00 BC", "2022-03-15 12:00:00+00"):
                cursor.execute(
                    "INSERT INTO inventory_lifecycleevent (asset_id, action, from_status, to_status, occurred_at, "
                    "recorded_at, source, location, note) VALUES (%s, 'transition', 'deployed', 'deployed', %s, "
                    "now(), 'api', 'S1', '')",
                    [asset_id, moment],
                )
        migrate(latest())

        assert "existing rows break event_occurred_at_in_range" in capsys.readouterr().err
        assert validated("event_occurred_at_in_range") is False
        assert validated("asset_deployed_at_in_range") is True
        with connection.cursor() as cursor:
            cursor.execute("SELECT CAST(last_event_at AS TEXT) FROM inventory_asset WHERE id = %s", [asset_id])
            assert cursor.fetchone()[0] == "2022-03-15 12:00:00+00"  # filled from the events
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(
                    "INSERT INTO inventory_lifecycleevent (asset_id, action, from_status, to_status, occurred_at, "
                    "recorded_at, source, location, note) VALUES (%s, 'transition', 'deployed', 'deployed', %s, "
                    "now(), 'api', 'S1', '')",
                    [asset_id, dt.datetime(1980, 1, 1, tzinfo=dt.UTC)],
                )
    finally:
        migrate(latest())
