"""A small, realistic fleet for the compliance report's tests and its manual check.

Two sites with a circular center each; servers with drives and memory installed, spare
drives and power supplies; dispositions on every route over several months of FY2022,
recorded through the real services (the sanitization gate included); packaging records;
one shipment stuck in transit and one asset missing. ``with_violations`` adds what only
an import could write: a drive recycled without a certificate, both with and without a
disposition row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from circularity import custody, dispositions
from circularity.choices import Route
from circularity.models import Disposition
from inventory import lifecycle
from inventory.choices import Category, Source, Status
from tests.factories import AssetFactory, CircularCenterFactory, PackagingRecordFactory, PartModelFactory, SiteFactory

UTC = dt.UTC

# (month, center index, route, kind) per disposition; kind: server (with 2 SSD + 4 DIMM), ssd, psu, hdd
PLAN = [
    (dt.date(2021, 11, 1), 0, Route.RESALE, "server"),
    (dt.date(2021, 11, 1), 1, Route.RECYCLE, "psu"),
    (dt.date(2022, 1, 1), 0, Route.REUSE, "ssd"),
    (dt.date(2022, 1, 1), 1, Route.LANDFILL, "psu"),
    (dt.date(2022, 2, 1), 0, Route.RECYCLE, "server"),
    (dt.date(2022, 2, 1), 1, Route.INCINERATION_ENERGY_RECOVERY, "hdd"),
    (dt.date(2022, 3, 1), 0, Route.RESALE, "server"),
    (dt.date(2022, 3, 1), 0, Route.REUSE, "ssd"),
    (dt.date(2022, 3, 1), 1, Route.RECYCLE, "server"),
    (dt.date(2022, 3, 1), 1, Route.RECYCLE, "hdd"),
    (dt.date(2022, 3, 1), 1, Route.INCINERATION, "psu"),
    (dt.date(2022, 3, 1), 0, Route.LANDFILL, "psu"),
]


def part_models() -> dict:
    return {
        "server": PartModelFactory(
            manufacturer="Contoso",
            model_number="R740",
            category=Category.SERVER,
            mass_kg=Decimal("18.500"),
            embodied_kgco2e=Decimal("1300"),
        ),
        "ssd": PartModelFactory(
            manufacturer="Fabrikam",
            model_number="PM1733",
            category=Category.SSD,
            mass_kg=Decimal("0.090"),
            embodied_kgco2e=Decimal("18"),
        ),
        "hdd": PartModelFactory(
            manufacturer="Fabrikam", model_number="X16", category=Category.HDD, mass_kg=Decimal("0.670")
        ),
        "dimm": PartModelFactory(
            manufacturer="Northwind",
            model_number="M393",
            category=Category.MEMORY,
            mass_kg=Decimal("0.030"),
            embodied_kgco2e=Decimal("11"),
        ),
        "psu": PartModelFactory(
            manufacturer="Northwind", model_number="PSU-1100", category=Category.PSU, mass_kg=Decimal("1.200")
        ),
    }


def _at_center(kind: str, models: dict, site, center, serial: str):
    asset = AssetFactory(
        serial_number=serial, part_model=models[kind], site=site, center=center, status=Status.AT_CIRCULAR_CENTER
    )
    if kind == "server":
        parts = [("ssd", 2), ("dimm", 4)]
        for part, count in parts:
            for index in range(count):
                AssetFactory(
                    serial_number=f"{serial}-{part}{index}",
                    part_model=models[part],
                    site=site,
                    center=center,
                    parent=asset,
                    status=Status.AT_CIRCULAR_CENTER,
                )
    return asset


def build_fleet(*, with_violations: bool = False) -> dict:
    sites = [
        SiteFactory(code="AMS05", name="Amsterdam 05", region="westeurope", country="NL"),
        SiteFactory(code="DUB07", name="Dublin 07", region="northeurope", country="IE"),
    ]
    centers = [
        CircularCenterFactory(code="CC-AMS", name="Amsterdam circular center", sites=[sites[0]]),
        CircularCenterFactory(code="CC-DUB", name="Dublin circular center", sites=[sites[1]]),
    ]
    models = part_models()
    for number, (month, index, route, kind) in enumerate(PLAN):
        site, center = sites[index], centers[index]
        decided_at = dt.datetime(month.year, month.month, 10 + number, 14, 0, tzinfo=UTC)
        asset = _at_center(kind, models, site, center, f"{kind.upper()}-{month:%y%m}-{number:02d}")
        for member in lifecycle.tree_of(asset):
            if member.part_model.data_bearing:
                dispositions.record_sanitization(
                    asset=member,
                    method="clear" if route == Route.REUSE else "purge",
                    performed_at=decided_at - dt.timedelta(days=2),
                    performed_by="Tech A",
                    verified=True,
                    certificate_id=f"CERT-{member.serial_number}",
                )
        dispositions.record_disposition(
            asset=asset,
            center=center,
            route=route,
            decided_at=decided_at,
            source=Source.ADMIN,
            to_site=site if route == Route.REUSE else None,
        )
    for month, plastic in ((dt.date(2022, 1, 1), "40"), (dt.date(2022, 2, 1), "36"), (dt.date(2022, 3, 1), "33")):
        PackagingRecordFactory(
            received_on=month + dt.timedelta(days=5),
            site=sites[0],
            package_count=100,
            packaging_mass_g=Decimal("1000"),
            single_use_plastic_g=Decimal(plastic),
        )
    now = timezone.now()
    stuck = AssetFactory(
        serial_number="SRV-STUCK-01", part_model=models["server"], site=sites[1], status=Status.DECOMMISSIONED
    )
    custody.ship(
        assets=[stuck],
        from_site=sites[1],
        to_center=centers[1],
        shipped_at=now - dt.timedelta(days=20),
        source=Source.API,
        tracking_ref="DHL-7781",
    )
    recent = AssetFactory(
        serial_number="SRV-RECENT-01", part_model=models["server"], site=sites[1], status=Status.DECOMMISSIONED
    )
    custody.ship(
        assets=[recent], from_site=sites[1], to_center=centers[1], shipped_at=now - dt.timedelta(days=3), source="api"
    )
    lost = AssetFactory(serial_number="PSU-LOST-01", part_model=models["psu"], site=sites[0], status=Status.DEPLOYED)
    lifecycle.transition(lost, to=Status.MISSING, occurred_at=now - dt.timedelta(days=40), source=Source.ADMIN)
    fleet = {"sites": sites, "centers": centers, "models": models}
    if with_violations:
        fleet["violations"] = add_violations(models, sites, centers)
    return fleet


def add_violations(
    models: dict,
    sites: list,
    centers: list,
    *,
    decided_at: dt.datetime = dt.datetime(2022, 3, 28, 9, 0, tzinfo=UTC),
    recorded_at: dt.datetime | None = None,
) -> list[str]:
    """What only an import could write: a drive that left without a certificate.

    ``recorded_at`` backdates the import itself (dispositions are append-only: the moment is
    set when the row is written, never changed after).
    """
    from freezegun import freeze_time

    imported = AssetFactory(
        serial_number="SSD-IMPORTED-01", part_model=models["ssd"], site=sites[0], status=Status.RECYCLED
    )
    with freeze_time(recorded_at) if recorded_at else contextlib.nullcontext():
        Disposition.objects.create(
            asset=imported,
            tree_root=imported,
            center=centers[0],
            site=sites[0],
            category=Category.SSD,
            route=Route.RECYCLE,
            decided_at=decided_at,
            mass_kg=models["ssd"].mass_kg,
        )
    AssetFactory(serial_number="HDD-NODISP-01", part_model=models["hdd"], site=sites[1], status=Status.DISPOSED)
    return ["SSD-IMPORTED-01", "HDD-NODISP-01"]
