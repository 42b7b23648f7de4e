"""Writes the demo catalog: sites, circular centers and part models (the fleet itself is
replayed in memory by ``replay`` and written by ``write``)."""

from __future__ import annotations

from circularity.models import CircularCenter
from inventory.choices import default_data_bearing
from inventory.models import PartModel, Site

from .catalog import CAMPUSES, SITES, all_part_specs

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
