"""The hand-built fleet of the waste golden test (its table and hand computation are in
tests/circularity/test_waste_golden.py), shared with the report and dashboard tests."""

import datetime as dt
from decimal import Decimal

from circularity import dispositions
from circularity.choices import Route
from inventory.choices import Category, Source, Status
from inventory.lifecycle import parts
from tests.factories import (
    AssetFactory,
    CircularCenterFactory,
    PartModelFactory,
    SanitizationFactory,
    SiteFactory,
    VendorCertificationFactory,
)

MARCH = dt.datetime(2024, 3, 12, 10, 0, tzinfo=dt.UTC)
FY2024 = dt.date(2023, 7, 1)


def t(kg: str) -> Decimal:
    """Tonnes of a hand-computed mass in kg."""
    return Decimal(kg) / 1000


def vendor(code: str):
    """A qualified downstream vendor (every route but reuse, certified R2v3 on the day)."""
    routes = [route for route in Route.values if route != Route.REUSE]
    return VendorCertificationFactory(vendor__code=code, vendor__routes=routes).vendor


def build_fleet():
    """The fleet of the table above (test_waste_golden), decided through the disposition service."""
    ams05, ams06 = SiteFactory(code="AMS05"), SiteFactory(code="AMS06")
    center = CircularCenterFactory(code="AMS-CC1", sites=[ams05, ams06])

    def asset(serial, category, kg, site=ams05, *, hazardous=None, parent=None):
        model = {"category": category, "mass_kg": Decimal(kg), "model_number": f"PM-{serial}"}
        if hazardous is not None:
            model["hazardous"] = hazardous
        return AssetFactory(
            serial_number=serial,
            part_model=PartModelFactory(**model),
            site=site,
            center=center,
            status=Status.AT_CIRCULAR_CENTER,
            parent=parent,
        )

    def decide(item, route, when=MARCH, *, by=None):
        return dispositions.record_disposition(
            asset=item,
            center=center,
            route=route,
            decided_at=when,
            source=Source.API,
            to_site=item.site if route == "reuse" else None,
            vendor=by,
        )

    a = asset("A", Category.SERVER, "18.400")
    asset("A-MEM-1", Category.MEMORY, "0.030", parent=a)
    asset("A-MEM-2", Category.MEMORY, "0.030", parent=a)
    decide(a, "reuse")
    decide(asset("B", Category.GPU, "1.250"), "resale", by=vendor("REMARKET-1"))
    decide(asset("C", Category.PSU, "1.500"), "recycle")
    decide(asset("D", Category.FAN, "0.375"), "recycle", by=vendor("RECYCLER-1"))
    decide(asset("E", Category.BATTERY, "4.200"), "recycle", by=vendor("BATTERY-1"))
    decide(asset("F", Category.CABLE, "2.345"), "incineration_energy_recovery", by=vendor("WTE-1"))
    decide(asset("G", Category.OTHER, "0.655", hazardous=True), "incineration", by=vendor("INCIN-1"))
    decide(asset("H", Category.CABLE, "1.111"), "landfill", by=vendor("LANDFILL-1"))

    server = asset("I", Category.SERVER, "14.000", ams06)
    ssd = asset("I-SSD", Category.SSD, "0.080", ams06, parent=server)
    bbu = asset("I-BBU", Category.BATTERY, "0.300", ams06, parent=server)
    board = asset("I-MB", Category.MOTHERBOARD, "2.100", ams06, parent=server)
    parts.dismantle(server, occurred_at=MARCH - dt.timedelta(days=2), source=Source.API)
    SanitizationFactory(asset=ssd, method="purge", performed_at=MARCH - dt.timedelta(days=1))
    decide(server, "landfill")
    decide(ssd, "recycle")
    decide(bbu, "recycle", by=vendor("BATTERY-1"))
    decide(board, "resale", by=vendor("REMARKET-1"))

    j = asset("J", Category.CABLE, "999.000")
    decide(j, "landfill", dt.datetime(2023, 6, 30, 23, 59, 59, tzinfo=dt.UTC), by=vendor("LANDFILL-1"))
    return center
