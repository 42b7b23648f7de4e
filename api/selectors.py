"""How the busy resources are read: ``.values()`` rows shaped as the API answers them.

Assets, events and dispositions are listed by the hundred and polled by integrating
systems. Building model instances and running DRF's field machinery for every row costs
ten times the query itself, so their representations are built here from plain rows: a
fixed number of queries per page (one; assets on SQLite: two), whatever its
size. The serializers of ``api.serializers`` still validate writes and describe these
shapes in the schema; tests hold the two to the same keys and values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import OuterRef, QuerySet

from inventory.models import Asset, LifecycleEvent

# Representation key -> column, in the order the API answers them.
ASSET_COLUMNS = {
    "serial_number": "serial_number",
    "asset_tag": "asset_tag",
    "part_model": "part_model_id",
    "site": "site__code",
    "parent": "parent__serial_number",
    "status": "status",
    "category": "part_model__category",
    "mass_kg": "part_model__mass_kg",
    "center": "center__code",
    "deployed_at": "deployed_at",
    "decommissioned_at": "decommissioned_at",
}

EVENT_COLUMNS = {
    "id": "id",
    "asset": "asset__serial_number",
    "action": "action",
    "from_status": "from_status",
    "to_status": "to_status",
    "parent": "parent__serial_number",
    "occurred_at": "occurred_at",
    "recorded_at": "recorded_at",
    "actor": "actor__username",
    "source": "source",
    "location": "location",
    "note": "note",
    "external_id": "external_id",
}

DISPOSITION_COLUMNS = {
    "id": "id",
    "asset": "asset__serial_number",
    "tree_root": "tree_root__serial_number",
    "center": "center__code",
    "site": "site__code",
    "category": "category",
    "route": "route",
    "decided_at": "decided_at",
    "mass_kg": "mass_kg",
    "embodied_kgco2e": "embodied_kgco2e",
    "hazardous": "hazardous",
    "to_site": "to_site__code",
    "vendor": "vendor__code",
    "certificate_id": "certificate_id",
    "proceeds": "proceeds",
    "currency": "currency",
    "actor": "actor__username",
    "recorded_at": "recorded_at",
}


def rows(queryset: QuerySet, columns: dict[str, str], *extra: str) -> QuerySet:
    """``queryset`` as ``.values()`` of ``columns`` (plus ``extra`` columns, e.g. ids)."""
    return queryset.values(*dict.fromkeys([*columns.values(), *extra]))


def shape(row: dict, columns: dict[str, str]) -> dict:
    return {key: row[column] for key, column in columns.items()}


def asset_rows(queryset: QuerySet) -> QuerySet:
    """Asset rows; on PostgreSQL each carries its components' serial numbers in the same query."""
    found = rows(queryset, ASSET_COLUMNS, "id")
    if connections[queryset.db].vendor == "postgresql":
        installed = Asset.objects.filter(parent_id=OuterRef("pk")).order_by("serial_number").values("serial_number")
        found = found.annotate(component_serials=ArraySubquery(installed))
    return found


def shape_assets(page: Iterable[dict]) -> list[dict]:
    """Asset rows as the API answers them, each with the serial numbers installed in it.

    Rows without ``component_serials`` (SQLite) get them from one more query for the page.
    """
    page = list(page)
    if page and "component_serials" not in page[0]:
        components: dict[int, list[str]] = defaultdict(list)
        installed = (
            Asset.objects.filter(parent_id__any=[row["id"] for row in page])
            .order_by("serial_number")
            .values_list("parent_id", "serial_number")
        )
        for parent_id, serial in installed:
            components[parent_id].append(serial)
        for row in page:
            row["component_serials"] = components[row["id"]]
    return [{**shape(row, ASSET_COLUMNS), "components": row["component_serials"]} for row in page]


def asset_representation(asset_id: int) -> dict:
    return shape_assets(asset_rows(Asset.objects.filter(pk=asset_id)))[0]


def event_rows(queryset: QuerySet) -> QuerySet:
    return rows(queryset, EVENT_COLUMNS)


def shape_events(page: Iterable[dict]) -> list[dict]:
    return [shape(row, EVENT_COLUMNS) for row in page]


def events_by_id(ids: Iterable[int]) -> list[dict]:
    """Events as the API answers them, in the order of ``ids`` (one query)."""
    ids = list(ids)
    found = {row["id"]: row for row in event_rows(LifecycleEvent.objects.filter(pk__any=ids))}
    return [shape(found[pk], EVENT_COLUMNS) for pk in ids]


def disposition_rows(queryset: QuerySet) -> QuerySet:
    return rows(queryset, DISPOSITION_COLUMNS)


def shape_dispositions(page: Iterable[dict]) -> list[dict]:
    return [shape(row, DISPOSITION_COLUMNS) for row in page]
