"""Writes the replayed history in bulk: COPY on PostgreSQL (as the benchmark fleet is
loaded, ``bench/fleet.py``), multi-row ``executemany`` on SQLite.

Rows are plain tuples in the tables' column order: no model instance per row (building
600,000 events as models cost more than inserting them). Asset ids are reserved first
(from the table's sequence on PostgreSQL) so events, shipments, sanitizations and
dispositions refer to their assets without reading them back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import DateTimeField
from django.utils import timezone

from circularity import downstream
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
            text = _copy_text()
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                lines = []
                for row in rows:
                    lines.append("\t".join([text(value) for value in row]))
                    if len(lines) == CHUNK:
                        copy.write("\n".join(lines) + "\n")
                        written += CHUNK
                        lines = []
                        if progress is not None:
                            progress.update(CHUNK)
                if lines:
                    copy.write("\n".join(lines) + "\n")
                    written += len(lines)
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


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text():
    """A value in COPY's text format (as ``bench/fleet.py`` writes its rows), moments memoised."""
    memo: dict = {}

    def text(value) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, str):
            return value.translate(_ESCAPES)
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, dt.datetime):
            found = memo.get(value)
            if found is None:
                found = memo[value] = value.isoformat()
            return found
        return str(value)

    return text


@contextlib.contextmanager
def secondary_indexes_dropped(models):
    """Drop the tables' non-unique indexes for the load and build them again after it, as
    pg_restore does (and ``bench/db.py``): one sort per index instead of 600,000 inserts
    into it. The demo loads into empty tables only, in one transaction; unique indexes stay
    (they back constraints the load must respect)."""
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
                  AND NOT x.indisunique AND NOT x.indisprimary
                """,
                [tables],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows' deferred foreign-key checks run now (as at commit): PostgreSQL builds
            # no index on a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, definition in indexes:
            cursor.execute(definition)


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
    with secondary_indexes_dropped([Asset, LifecycleEvent, SanitizationRecord, Disposition]):
        _write(assets, rows, sites=sites, centers=centers, part_models=part_models, progress=progress)


def _write(assets, rows, *, sites, centers, part_models, progress) -> None:
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
        (
            "asset_id",
            "method",
            "performed_at",
            "performed_by",
            "verified",
            "certificate_id",
            "tool",
            "tool_version",
            "verification_method",
            "verified_by",
            "recorded_at",
        ),  # fmt: skip
        ((ids[serial], *rest, "", "", "", "", now) for serial, *rest in rows.sanitizations),
        progress=progress,
    )
    vendor_id = _downstream_checked(rows.dispositions, centers)
    hazardous = {key: model.hazardous for key, model in part_models.items()}
    columns = (
        "asset_id", "tree_root_id", "center_id", "site_id", "category", "route", "decided_at", "mass_kg",
        "embodied_kgco2e", "hazardous", "to_site_id", "vendor_id", "certificate_id", "proceeds", "currency",
        "recorded_at",
    )  # fmt: skip
    insert_rows(
        Disposition,
        columns,
        (
            (
                ids[row[0]],
                ids[row[1]],
                center_id[row[2]],
                site_id[row[3]],
                *row[4:9],
                hazardous[row[14]],
                site_id[row[9]] if row[9] else None,
                vendor_id[row[10]] if row[10] else None,
                *row[11:14],
                now,
            )
            for row in rows.dispositions
        ),  # fmt: skip
        progress=progress,
    )


def _downstream_checked(dispositions: list[tuple], centers: dict[str, CircularCenter]) -> dict[str, int]:
    """The downstream gate of ``record_disposition`` (``circularity.downstream``: the vendor
    takes the route and is certified on the day, or the center carries it out itself) for
    every decision of the history, once per (center, route, vendor, day); returns the
    vendors' ids by code. Refuses (``DownstreamRefused``) before a disposition is written."""
    vendors: dict[str, object] = {}
    checked = set()
    for row in dispositions:
        center, route, decided_at, vendor = row[2], row[5], row[6], row[10]
        key = (center, route, vendor, decided_at.date())
        if key in checked:
            continue
        checked.add(key)
        if vendor and vendor not in vendors:
            vendors[vendor] = downstream.resolve_vendor(vendor, route=route)
        found = vendors[vendor] if vendor else None
        downstream.check_downstream(center=centers[center], route=route, vendor=found, decided_at=decided_at)
    return {code: vendor.pk for code, vendor in vendors.items()}
