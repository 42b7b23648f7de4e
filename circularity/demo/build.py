"""Writes the demo catalog and creates the fleet's assets in bulk.

Creating an asset is not a change of state, so the fleet is inserted with
``bulk_create`` (a few thousand rows per statement), each asset with the one
``LifecycleEvent`` that starts its history: deployed (``in_stock`` -> ``deployed``) or
received into stock (``in_stock`` -> ``in_stock``). Every later change goes through the
services (``replay``).
"""

from __future__ import annotations

from collections.abc import Iterable

from circularity.models import CircularCenter
from inventory.choices import Action, Source, Status, default_data_bearing
from inventory.models import Asset, LifecycleEvent, PartModel, Site

from .catalog import CAMPUSES, SITES, all_part_specs
from .plan import PlannedAsset

BATCH = 2000


def create_catalog() -> tuple[dict[str, Site], dict[str, CircularCenter], dict[tuple[str, str], PartModel]]:
    sites = {
        spec.code: Site.objects.create(code=spec.code, name=spec.name, region=spec.region, country=spec.country)
        for spec in SITES
    }
    centers = {}
    for campus in CAMPUSES:
        center = CircularCenter.objects.create(code=campus.center, name=campus.name)
        center.sites.set([sites[code] for code in campus.sites])
        centers[campus.center] = center
    part_models = {
        spec.key: PartModel.objects.create(
            manufacturer=spec.manufacturer,
            model_number=spec.model_number,
            category=spec.category,
            mass_kg=spec.mass,
            data_bearing=default_data_bearing(spec.category),
            embodied_kgco2e=spec.embodied_kgco2e,
        )
        for spec in all_part_specs()
    }
    return sites, centers, part_models


def create_assets(
    planned: Iterable[PlannedAsset],
    *,
    sites: dict[str, Site],
    part_models: dict[tuple[str, str], PartModel],
    progress=None,
) -> int:
    """Insert the assets (parents before what is installed in them) and their first events."""
    planned = list(planned)
    pks: dict[str, int] = {}
    for level in ([a for a in planned if a.parent is None], [a for a in planned if a.parent is not None]):
        for start in range(0, len(level), BATCH):
            chunk = level[start : start + BATCH]
            rows = Asset.objects.bulk_create([_asset(a, sites, part_models, pks) for a in chunk])
            pks.update((row.serial_number, row.pk) for row in rows)
            events = [_first_event(a, pks[a.serial]) for a in chunk]
            LifecycleEvent.objects.bulk_create(events)
            if progress is not None:
                progress.update(len(chunk))
    return len(planned)


def _asset(planned: PlannedAsset, sites, part_models, pks) -> Asset:
    deployed = planned.status == Status.DEPLOYED
    return Asset(
        serial_number=planned.serial,
        asset_tag=planned.asset_tag,
        part_model=part_models[planned.spec.key],
        parent_id=pks[planned.parent] if planned.parent else None,
        site=sites[planned.site],
        status=planned.status,
        deployed_at=planned.created_at if deployed else None,
        last_event_at=planned.created_at,  # its first event (below); the lifecycle keeps it from here
    )


def _first_event(planned: PlannedAsset, pk: int) -> LifecycleEvent:
    if planned.status == Status.DEPLOYED:
        note = f"Deployed in {planned.parent}" if planned.parent else "Deployed"
    else:
        note = f"Received into stock in {planned.parent}" if planned.parent else "Received into stock"
    return LifecycleEvent(
        asset_id=pk,
        action=Action.TRANSITION,
        from_status=Status.IN_STOCK,
        to_status=planned.status,
        occurred_at=planned.created_at,
        source=Source.JOB,
        location=planned.site,
        note=f"{note} (demo fleet load)",
    )
