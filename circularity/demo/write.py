"""Writes the replayed history in bulk: COPY on PostgreSQL (as the benchmark fleet is
loaded, ``bench/fleet.py``), multi-row ``executemany`` on SQLite.

Rows are plain tuples in the tables' column order: no model instance per row (building
600,000 events as models cost more than inserting them). Asset ids are reserved first
(from the table's sequence on PostgreSQL) so events, shipments, sanitizations and
dispositions refer to their assets without reading them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import DateTimeField
from django.utils import timezone

from circularity.models import CircularCenter, Disposition, SanitizationRecord, Shipment
from inventory.models import Asset, LifecycleEvent, PartModel, Site

from .replay import Held, Rows

CHUNK = 20_000


def insert_rows(model, columns: Sequence[str], rows: Iterable[tuple], *, progress=None) -> int:
    """Insert ``rows`` (tuples of Python values in ``columns`` order) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
                    if progress is not None and written % CHUNK == 0:
                        progress.update(CHUNK)
        else:
            fields = {field.column: field for field in model._meta.concrete_fields}
            moments = [i for i, column in enumerate(columns) if isinstance(fields[column], DateTimeField)]
            adapt = _cached(connection.ops.adapt_datetimefield_value)
            statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            chunk: list[list] = []
            for row in rows:
                row = list(row)
                for index in moments:
                    row[index] = adapt(row[index])
                chunk.append(row)
                if len(chunk) == CHUNK:
                    cursor.executemany(statement, chunk)
                    written += len(chunk)
                    chunk = []
                    if progress is not None:
                        progress.update(CHUNK)
            if chunk:
                cursor.executemany(statement, chunk)
                written += len(chunk)
    if progress is not None:
        progress.update(written % CHUNK)
    return written


def _cached(adapt):
    """``adapt`` remembering its answers: the rows of a tree share their moments, and
    adapting 500,000 moments one by one cost more than inserting them."""
    memo: dict = {}

    def cached(value):
        try:
            return memo[value]
        except KeyError:
            found = memo[value] = adapt(value)
            return found

    return cached


def reserve_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys of ``model`` (the table is written by this transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def write_history(
    assets: dict[str, Held],
    rows: Rows,
    *,
    sites: dict[str, Site],
    centers: dict[str, CircularCenter],
    part_models: dict[tuple[str, str], PartModel],
    progress=None,
) -> None:
    now = timezone.now()
    site_id = {code: site.pk for code, site in sites.items()}
    center_id = {code: center.pk for code, center in centers.items()}
    # Parents before what is installed in them (the demo's trees are one level deep).
    ordered = sorted(assets.values(), key=lambda held: held.parent is not None)
    ids = dict(zip((held.serial for held in ordered), reserve_ids(Asset, len(ordered)), strict=True))
    insert_rows(
        Asset,
        (
            "id",
            "serial_number",
            "asset_tag",
            "part_model_id",
            "parent_id",
            "site_id",
            "center_id",
            "status",
            "deployed_at",
            "decommissioned_at",
            "last_event_at",
            "created_at",
            "updated_at",
        ),  # fmt: skip
        (
            (
                ids[held.serial],
                held.serial,
                held.asset_tag,
                part_models[held.spec.key].pk,
                ids[held.parent.serial] if held.parent is not None else None,
                site_id[held.site],
                center_id[held.center] if held.center is not None else None,
                held.status,
                held.deployed_at,
                held.decommissioned_at,
                held.last_event_at,
                now,
                now,
            )
            for held in ordered
        ),
        progress=progress,
    )
    insert_rows(
        LifecycleEvent,
        (
            "asset_id",
            "action",
            "from_status",
            "to_status",
            "parent_id",
            "occurred_at",
            "recorded_at",
            "source",
            "location",
            "note",
        ),  # fmt: skip
        (
            (ids[serial], action, before, after, ids[parent] if parent else None, at, now, source, location, note)
            for serial, action, before, after, parent, at, source, location, note in rows.events
        ),
        progress=progress,
    )
    shipments = Shipment.objects.bulk_create(
        [
            Shipment(
                from_site_id=site_id[site],
                to_center_id=center_id[center],
                shipped_at=shipped_at,
                received_at=received_at,
                tracking_ref=tracking_ref,
            )
            for _, site, center, shipped_at, received_at, tracking_ref, _ in rows.shipments.values()
        ],
        batch_size=2000,
    )
    Shipment.assets.through.objects.bulk_create(
        [
            Shipment.assets.through(shipment_id=shipment.pk, asset_id=ids[serial])
            for shipment, planned in zip(shipments, rows.shipments.values(), strict=True)
            for serial in planned[6]
        ],
        batch_size=5000,
    )
    insert_rows(
        SanitizationRecord,
        ("asset_id", "method", "performed_at", "performed_by", "verified", "certificate_id", "recorded_at"),
        ((ids[serial], *rest, now) for serial, *rest in rows.sanitizations),
        progress=progress,
    )
    insert_rows(
        Disposition,
        (
            "asset_id",
            "tree_root_id",
            "center_id",
            "site_id",
            "category",
            "route",
            "decided_at",
            "mass_kg",
            "embodied_kgco2e",
            "to_site_id",
            "vendor",
            "certificate_id",
            "recorded_at",
        ),  # fmt: skip
        (
            (
                ids[serial],
                ids[root],
                center_id[center],
                site_id[site],
                *middle,
                site_id[to_site] if to_site else None,
                vendor,
                certificate,
                now,
            )  # fmt: skip
            for serial, root, center, site, *middle, to_site, vendor, certificate in rows.dispositions
        ),
        progress=progress,
    )
