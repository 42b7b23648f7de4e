"""The waste migrations on a database that already holds dispositions and snapshots.

Dispositions are append-only: the backfill of ``hazardous`` lifts the PostgreSQL guard for
its one UPDATE and puts it back. The long-format snapshots start empty, every month stale.
"""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import IntegrityError, InternalError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [
    ("inventory", "0011_partmodel_hazardous_focus_materials"),
    ("circularity", "0015_sanitization_batches_proceeds"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_dispositions_take_their_part_models_hazardous_flag_and_stay_append_only():
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO inventory_site (code, name, region, country) VALUES ('S1', 'S', 'r', 'NL')")
            cursor.execute("INSERT INTO circularity_circularcenter (code, name) VALUES ('C1', 'C')")
            for number, hazardous in (("UPS-1", True), ("SRV-1", False)):
                cursor.execute(
                    "INSERT INTO inventory_partmodel (manufacturer, model_number, category, mass_kg, data_bearing, "
                    "hazardous, focus_materials) VALUES ('M', %s, 'other', 1, false, %s, '[]')",
                    [number, hazardous],
                )
                cursor.execute(
                    "INSERT INTO inventory_asset (serial_number, part_model_id, site_id, status, created_at, "
                    "updated_at) SELECT %s, p.id, s.id, 'recycled', now(), now() FROM inventory_partmodel p, "
                    "inventory_site s WHERE p.model_number = %s RETURNING id",
                    [f"A-{number}", number],
                )
                asset_id = cursor.fetchone()[0]
                cursor.execute(
                    "INSERT INTO circularity_disposition (asset_id, tree_root_id, center_id, site_id, category, route, "
                    "decided_at, mass_kg, vendor_id, certificate_id, currency, recorded_at) SELECT %s, %s, c.id, s.id, "
                    "'other', 'recycle', '2022-03-15 12:00+00', 1, NULL, '', '', now() "
                    "FROM circularity_circularcenter c, inventory_site s",
                    [asset_id, asset_id],
                )
            cursor.execute(
                "INSERT INTO circularity_snapshotmonth (month, stale, version) VALUES ('2022-03-01', false, 4)"
            )
        migrate(latest())

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.serial_number, d.hazardous FROM circularity_disposition d "
                "JOIN inventory_asset a ON a.id = d.asset_id ORDER BY a.serial_number"
            )
            assert cursor.fetchall() == [("A-SRV-1", False), ("A-UPS-1", True)]
            cursor.execute("SELECT stale, version FROM circularity_snapshotmonth")
            assert cursor.fetchall() == [(True, 5)]
            with pytest.raises((InternalError, IntegrityError), match="append-only"), transaction.atomic():
                cursor.execute("UPDATE circularity_disposition SET hazardous = false")
    finally:
        migrate(latest())
