"""SPEC section 9's figures: mass balance, value recovered per currency, genealogy, harvested parts."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import dispositions, genealogy, metrics
from circularity.metrics import mass_balance
from inventory import lifecycle
from inventory.choices import Category, Source, Status
from tests.circularity.helpers import campus, utc
from tests.factories import AssetFactory, PartModelFactory

pytestmark = pytest.mark.django_db
MARCH = dt.date(2024, 3, 1)


def model(category, mass, embodied=None):
    return PartModelFactory(category=category, mass_kg=Decimal(mass), embodied_kgco2e=embodied)


def server_with_dimms(site, serial, dimms=2, dimm_model=None, status="deployed"):
    server = AssetFactory(serial_number=serial, site=site, part_model=model(Category.SERVER, "20"), status=status)
    dimm_model = dimm_model or model(Category.MEMORY, "0.03", embodied="12")
    parts = [
        AssetFactory(serial_number=f"{serial}-D{i}", site=site, part_model=dimm_model, parent=server, status=status)
        for i in range(dimms)
    ]
    return server, parts


def arrive(asset, center, when):
    lifecycle.transition(asset, to=Status.DECOMMISSIONED, occurred_at=when - dt.timedelta(days=1), source=Source.API)
    lifecycle.transition(asset, to=Status.AT_CIRCULAR_CENTER, occurred_at=when, center=center, source=Source.API)


def decide(asset, center, route, when, **kwargs):
    return dispositions.record_disposition(
        asset=asset, center=center, route=route, decided_at=when, source=Source.API, **kwargs
    )


def march(center_code="AMS-CC1"):
    (row,) = metrics.mass_balance_rows(MARCH, MARCH, center_code)
    return row


def test_the_mass_balance_of_a_hand_built_month_adds_up_by_units_and_mass():
    site, center = campus()
    old, (dimm, spare) = server_with_dimms(site, "SRV-A")
    arrive(old, center, utc(2024, 2, 10))  # on hand on 1 March: 20 + 2 × 0.03 kg
    new = AssetFactory(serial_number="SRV-B", site=site, part_model=model(Category.SERVER, "15"), status="deployed")
    arrive(new, center, utc(2024, 3, 5))  # received in March
    lifecycle.dismantle(old, occurred_at=utc(2024, 3, 10), source=Source.API)
    decide(dimm, center, "reuse", utc(2024, 3, 12), to_site=site)  # a reuse
    decide(old, center, "recycle", utc(2024, 3, 12))  # the bare chassis
    row = march()
    assert (row.opening_units, row.opening_kg) == (3, Decimal("20.060"))
    assert (row.received_units, row.received_kg) == (1, Decimal("15.000"))
    assert (row.dispositioned_units, row.dispositioned_kg) == (2, Decimal("20.030"))
    assert (row.closing_units, row.closing_kg) == (2, Decimal("15.030"))
    assert row.opening_units + row.received_units - row.dispositioned_units == row.closing_units
    assert row.opening_kg + row.received_kg - row.dispositioned_kg == row.closing_kg
    assert row.balanced and row.explanations == [] and row.lots_net_kg is None
    (april,) = metrics.mass_balance_rows(dt.date(2024, 4, 1), dt.date(2024, 4, 1), "AMS-CC1")
    assert (april.opening_units, april.opening_kg) == (row.closing_units, row.closing_kg)
    assert spare.pk


def test_a_month_that_does_not_balance_says_by_how_much_and_why():
    site, center = campus()
    server, _ = server_with_dimms(site, "SRV-M", dimms=1)
    arrive(server, center, utc(2024, 3, 2))
    lifecycle.transition(server, to=Status.MISSING, occurred_at=utc(2024, 3, 20), source=Source.API)
    row = march()
    assert (row.received_units, row.closing_units) == (2, 0)
    assert (row.imbalance_units, row.imbalance_kg) == (2, Decimal("20.030"))
    assert row.explanations == ["2 asset(s) (20.030 kg) went missing at the center"]


def test_the_lots_weight_tickets_are_set_beside_the_recorded_masses_through_the_extension_point(monkeypatch):
    site, center = campus()
    monkeypatch.setattr(mass_balance, "lot_net_kg", lambda codes, first, last: {("AMS-CC1", MARCH): Decimal("41.5")})
    assert march().lots_net_kg == Decimal("41.500")


def test_the_mass_balance_runs_a_fixed_number_of_queries(django_assert_num_queries):
    site, center = campus()
    for i in range(3):
        server, _ = server_with_dimms(site, f"SRV-Q{i}")
        arrive(server, center, utc(2024, 3, 2 + i))
    # centers, on hand at 4 boundaries, received, missing, dispositioned
    with django_assert_num_queries(1 + 4 + 3):
        rows = metrics.mass_balance_rows(MARCH, dt.date(2024, 5, 1))
    assert [row.received_units for row in rows] == [9, 0, 0]


def test_resale_proceeds_are_reported_per_currency_and_never_summed_across():
    site, center = campus()
    servers = [
        AssetFactory(site=site, center=center, status=Status.AT_CIRCULAR_CENTER, part_model=model("server", "20"))
        for _ in range(4)
    ]
    decide(servers[0], center, "resale", utc(2024, 3, 3), proceeds=Decimal("100.00"), currency="EUR")
    decide(servers[1], center, "resale", utc(2024, 3, 4), proceeds=Decimal("50.25"), currency="EUR")
    decide(servers[2], center, "resale", utc(2024, 3, 5), proceeds=Decimal("80.00"), currency="USD")
    decide(servers[3], center, "resale", utc(2024, 4, 5))  # sold without a price on record
    rows = metrics.value_recovered_rows("month", MARCH, dt.date(2024, 4, 1))
    assert rows == [
        {"period": "2024-03", "currency": "EUR", "units": 2, "proceeds": Decimal("150.25")},
        {"period": "2024-03", "currency": "USD", "units": 1, "proceeds": Decimal("80.00")},
    ]
    fiscal = metrics.value_recovered_rows("fiscal_year", dt.date(2023, 7, 1), dt.date(2023, 7, 1))
    assert [(row["period"], row["currency"], row["proceeds"]) for row in fiscal] == [
        ("FY2024", "EUR", Decimal("150.25")),
        ("FY2024", "USD", Decimal("80.00")),
    ]


@pytest.mark.parametrize(
    ("route", "extra", "reason"),
    [
        ("recycle", {"proceeds": Decimal("1"), "currency": "EUR"}, "resale only"),
        ("resale", {"proceeds": Decimal("1")}, "ISO 4217 currency"),
        ("resale", {"proceeds": Decimal("1"), "currency": "ABC"}, "not an ISO 4217"),
        ("resale", {"currency": "EUR"}, "without proceeds"),
    ],
)
def test_proceeds_are_refused_off_resale_or_without_a_real_currency(route, extra, reason):
    from circularity.errors import DispositionRefused

    site, center = campus()
    server = AssetFactory(site=site, center=center, status=Status.AT_CIRCULAR_CENTER)
    with pytest.raises(DispositionRefused, match=reason):
        decide(server, center, route, utc(2024, 3, 3), **extra)
    assert not server.dispositions.exists()


def test_the_genealogy_of_a_dimm_through_three_servers_with_its_lives_and_the_harvest_counted():
    site, center = campus()
    dimm_model = model(Category.MEMORY, "0.03", embodied="12")
    s1, (dimm,) = server_with_dimms(site, "SRV-1", dimms=1, dimm_model=dimm_model, status="in_stock")
    lifecycle.transition(s1, to=Status.DEPLOYED, occurred_at=utc(2023, 1, 1), source=Source.API)
    moments = []
    for number, (arrived, installed) in enumerate(
        [(utc(2024, 1, 10), utc(2024, 1, 20)), (utc(2024, 3, 10), utc(2024, 3, 20))], start=2
    ):
        dimm.refresh_from_db()
        current = dimm.parent
        arrive(current, center, arrived)
        lifecycle.dismantle(current, occurred_at=arrived + dt.timedelta(hours=1), source=Source.API)
        decide(dimm, center, "reuse", arrived + dt.timedelta(days=1), to_site=site)
        host = AssetFactory(serial_number=f"SRV-{number}", site=site, part_model=model(Category.SERVER, "20"))
        lifecycle.install(dimm, parent=host, occurred_at=installed, source=Source.API)
        moments.append((arrived + dt.timedelta(hours=1), installed))
    dimm.refresh_from_db()
    found = genealogy.genealogy(dimm)
    assert found.lives == 2
    assert found.installations == [
        genealogy.Installation("SRV-1", utc(2023, 1, 1), moments[0][0]),
        genealogy.Installation("SRV-2", moments[0][1], moments[1][0]),
        genealogy.Installation("SRV-3", moments[1][1], None),
    ]
    rows = metrics.harvested_rows(dt.date(2024, 1, 1), MARCH)
    assert [(row["period"], row["units"], row["mass_kg"], row["avoided_kgco2e"]) for row in rows] == [
        ("2024-01", 1, Decimal("0.030"), Decimal("12.000")),
        ("2024-02", 0, Decimal("0.000"), Decimal("0.000")),
        ("2024-03", 1, Decimal("0.030"), Decimal("12.000")),
    ]


def test_a_part_moved_between_servers_in_the_fleet_is_no_harvest():
    site, _ = campus()
    s1, (dimm,) = server_with_dimms(site, "SRV-F", dimms=1)
    other = AssetFactory(site=site, status="deployed")
    lifecycle.remove(dimm, occurred_at=utc(2024, 3, 2), source=Source.API)
    lifecycle.install(dimm, parent=other, occurred_at=utc(2024, 3, 3), source=Source.API)
    assert [row["units"] for row in metrics.harvested_rows(MARCH, MARCH)] == [0]
    assert [i.parent for i in genealogy.genealogy(dimm).installations] == ["SRV-F", other.serial_number]
