"""Packaging received at the sites: single-use plastic falling year after year.

Records come in pairs of equal package count and package mass, one early in the fiscal
year with more plastic than the year's share and one late with as much less, so the
package-weighted average of every whole fiscal year is exactly ``catalog.plastic_share``
(4.7 % in FY2021, 3.3 % in FY2022) while the months show one falling line: each year falls
by the slope between its neighbours' shares, so it starts about where the last one ended.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from circularity.models import PackagingRecord
from circularity.periods import fiscal_year_months, fiscal_year_of

from .catalog import PACKAGING_SUPPLIERS, SITES, all_part_specs, plastic_share
from .plan import Planner

MILLIGRAM = Decimal("0.001")


def plan_packaging(planner: Planner) -> list[dict]:
    rng = planner.rng
    limit = planner.limit.date()
    scale = planner.servers_wanted / 100
    models_of: dict[str, list[tuple[str, str]]] = {}
    for spec in all_part_specs():
        models_of.setdefault(spec.manufacturer, []).append(spec.key)
    records = []
    first = fiscal_year_of(planner.start)
    last = fiscal_year_of(planner.limit - dt.timedelta(seconds=1))
    for fiscal_year in range(first, last + 1):
        share = plastic_share(fiscal_year)
        # The year's line falls by the slope between its neighbours' shares, so each year
        # starts about where the last one ended (a steady fall, no jump back up in July).
        before = plastic_share(fiscal_year - 1) if fiscal_year > first else 2 * share - plastic_share(fiscal_year + 1)
        half_fall = min(share / 1.2, (before - plastic_share(fiscal_year + 1)) / 24 * 5.5)
        months = fiscal_year_months(fiscal_year)
        for site in SITES:
            for supplier, (grams_low, grams_high), (count_low, count_high) in PACKAGING_SUPPLIERS:
                for early in range(6):
                    mass = Decimal(rng.randint(grams_low, grams_high))
                    count = max(1, round(rng.uniform(count_low, count_high) * scale * site.weight))
                    delta = half_fall * (5.5 - early) / 5.5 * rng.uniform(0.8, 1.2)
                    part_model = rng.choice(models_of[supplier])
                    for month, content in ((months[early], share + delta), (months[11 - early], share - delta)):
                        received_on = month + dt.timedelta(days=rng.randint(0, 27))
                        if received_on >= limit:
                            continue
                        records.append(
                            {
                                "received_on": received_on,
                                "site": site.code,
                                "supplier": supplier,
                                "part_model": part_model,
                                "package_count": count,
                                "packaging_mass_g": mass,
                                "single_use_plastic_g": (mass * Decimal(repr(content))).quantize(MILLIGRAM),
                            }
                        )
    return records


def create_packaging(records: list[dict], *, sites, part_models) -> int:
    rows = [
        PackagingRecord(
            received_on=record["received_on"],
            site=sites[record["site"]],
            supplier=record["supplier"],
            part_model=part_models[record["part_model"]],
            package_count=record["package_count"],
            packaging_mass_g=record["packaging_mass_g"],
            single_use_plastic_g=record["single_use_plastic_g"],
        )
        for record in records
    ]
    PackagingRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
