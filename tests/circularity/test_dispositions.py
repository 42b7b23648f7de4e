"""Dispositions (SPEC section 3): whole trees, dismantled parts, the sanitization gate, reuse."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import dispositions, metrics
from circularity.errors import DispositionRefused, SanitizationMissing, SanitizationRefused
from circularity.models import Disposition, SanitizationRecord
from inventory import lifecycle
from inventory.choices import Category, Source, Status
from inventory.models import Asset
from tests.circularity.helpers import at_center, campus, dispose, utc
from tests.factories import SanitizationFactory, SiteFactory

pytestmark = pytest.mark.django_db
WHEN = utc(2022, 3, 15, 12)


def server_tree(center):
    """A 20 kg chassis holding 2 CPUs (0.1 kg), 4 DIMMs (0.03 kg) and an SSD (0.08 kg)."""
    server = at_center(center, category=Category.SERVER, mass_kg="20")
    parts = [at_center(center, category=Category.CPU, mass_kg="0.1", parent=server) for _ in range(2)]
    parts += [at_center(center, category=Category.MEMORY, mass_kg="0.03", parent=server) for _ in range(4)]
    ssd = at_center(center, category=Category.SSD, mass_kg="0.08", parent=server)
    return server, parts, ssd


def fy2022(group_by=None):
    return metrics.circularity_rows("fiscal_year", dt.date(2021, 7, 1), dt.date(2021, 7, 1), group_by)


def test_a_server_dispositioned_whole_counts_every_asset_of_its_tree_once():
    _, center = campus()
    server, parts, ssd = server_tree(center)
    SanitizationFactory(asset=ssd, method="destroy", performed_at=WHEN - dt.timedelta(days=1))
    rows = dispose(server, center, "recycle", WHEN)
    assert len(rows) == 8
    assert {row.asset_id for row in rows} == {server.pk, ssd.pk, *(p.pk for p in parts)}
    assert {row.tree_root_id for row in rows} == {server.pk}
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.RECYCLED}
    (row,) = fy2022()
    assert row["units"] == 8
    assert row["mass_kg"] == Decimal("20") + 2 * Decimal("0.1") + 4 * Decimal("0.03") + Decimal("0.08")
    assert dispositions.tree_mass_kg(server) == row["mass_kg"]


def test_a_dismantled_server_counts_each_part_and_the_bare_chassis_once_with_its_own_mass():
    _, center = campus()
    server, parts, ssd = server_tree(center)
    lifecycle.dismantle(server, occurred_at=WHEN, source=Source.ADMIN)
    for part in parts:
        dispose(part, center, "reuse", WHEN)
    SanitizationFactory(asset=ssd, method="destroy", performed_at=WHEN - dt.timedelta(days=1))
    dispose(ssd, center, "recycle", WHEN)
    dispose(server, center, "recycle", WHEN)  # the bare chassis
    assert Disposition.objects.count() == 8
    assert Disposition.objects.get(asset=server).mass_kg == Decimal("20")
    (row,) = fy2022()
    assert row["units"] == 8
    assert row["units_by_route"]["reuse"] == 6
    assert row["mass_kg_by_route"]["reuse"] == Decimal("0.32")
    assert row["mass_kg_by_route"]["recycle"] == Decimal("20.08")


def test_a_component_is_not_dispositioned_while_installed():
    _, center = campus()
    server, parts, _ = server_tree(center)
    with pytest.raises(DispositionRefused, match=f"installed in {server.serial_number}"):
        dispose(parts[0], center, "reuse", WHEN)


def test_a_reused_asset_keeps_its_past_dispositions_on_the_site_it_came_from():
    site, center = campus()
    elsewhere = SiteFactory(code="DUB07")
    asset = at_center(center, category=Category.PSU, mass_kg="1.5")
    dispose(asset, center, "reuse", WHEN, to_site=elsewhere)
    asset.refresh_from_db()
    assert (asset.status, asset.site, asset.center) == (Status.IN_STOCK, elsewhere, None)
    # Years later it comes back from its new site and is recycled: a second custody cycle.
    later = utc(2024, 2, 1)
    lifecycle.transition(asset, to=Status.DECOMMISSIONED, occurred_at=later, source=Source.API)
    lifecycle.transition(asset, to=Status.IN_TRANSIT, occurred_at=later, source=Source.API)
    lifecycle.transition(asset, to=Status.AT_CIRCULAR_CENTER, center=center, occurred_at=later, source=Source.API)
    dispose(asset, center, "recycle", later)
    by_site = {row["group"]: row["units"] for row in fy2022("site")}
    assert by_site == {site.code: 1}
    fy2024 = metrics.circularity_rows("fiscal_year", dt.date(2023, 7, 1), dt.date(2023, 7, 1), "site")
    assert {row["group"]: row["units"] for row in fy2024} == {elsewhere.code: 1}


def test_reuse_needs_a_site_to_return_to():
    _, center = campus()
    asset = at_center(center)
    with pytest.raises(DispositionRefused, match="to_site"):
        dispositions.record_disposition(asset=asset, center=center, route="reuse", decided_at=WHEN, source=Source.API)


@pytest.mark.parametrize(
    ("route", "method", "allowed"),
    [
        ("reuse", "clear", True),
        ("reuse", "purge", True),
        ("reuse", "destroy", True),
        ("resale", "clear", False),
        ("resale", "purge", True),
        ("recycle", "clear", False),
        ("recycle", "destroy", True),
        ("incineration_energy_recovery", "clear", False),
        ("incineration", "purge", True),
        ("landfill", "clear", False),
        ("landfill", "destroy", True),
    ],
)
def test_sanitization_gate_for_each_route(route, method, allowed):
    _, center = campus()
    drive = at_center(center, category=Category.HDD, mass_kg="0.7")
    SanitizationFactory(asset=drive, method=method, performed_at=WHEN - dt.timedelta(days=1))
    if allowed:
        assert len(dispose(drive, center, route, WHEN)) == 1
    else:
        with pytest.raises(SanitizationMissing) as refused:
            dispose(drive, center, route, WHEN)
        assert refused.value.assets == [drive.serial_number]
        assert not Disposition.objects.exists()
        drive.refresh_from_db()
        assert drive.status == Status.AT_CIRCULAR_CENTER


def test_gate_names_every_data_bearing_asset_of_the_tree_that_lacks_a_certificate():
    _, center = campus()
    server, _, ssd = server_tree(center)
    hdd = at_center(center, category=Category.HDD, mass_kg="0.7", parent=server)
    unverified = SanitizationFactory(asset=hdd, method="purge", performed_at=WHEN, verified=False, certificate_id="")
    with pytest.raises(SanitizationMissing) as refused:
        dispose(server, center, "recycle", WHEN)
    assert refused.value.assets == sorted([ssd.serial_number, hdd.serial_number])
    assert ssd.serial_number in str(refused.value) and unverified.asset.serial_number in str(refused.value)
    assert not Disposition.objects.exists()
    assert not server.events.exists()


def test_a_soldered_flash_server_is_data_bearing_by_its_part_model():
    _, center = campus()
    server = at_center(center, category=Category.SERVER)
    server.part_model.data_bearing = True
    server.part_model.save()
    with pytest.raises(SanitizationMissing):
        dispose(server, center, "resale", WHEN)


def test_a_certificate_from_an_earlier_custody_cycle_does_not_count():
    _, center = campus()
    drive = at_center(center, category=Category.SSD, mass_kg="0.08")
    dispose(drive, center, "reuse", WHEN, sanitize=True)
    later = utc(2023, 5, 1)
    for to in (Status.DECOMMISSIONED, Status.AT_CIRCULAR_CENTER):
        lifecycle.transition(drive, to=to, occurred_at=later, source=Source.API, center=center)
    with pytest.raises(SanitizationMissing):
        dispose(drive, center, "reuse", later)
    dispose(drive, center, "reuse", later, sanitize=True)


def test_disposition_refused_unless_at_that_center():
    site, center = campus()
    _, other = campus("DUB07", "DUB-CC")
    asset = at_center(center)
    with pytest.raises(DispositionRefused, match=f"not {other.code}"):
        dispose(asset, other, "recycle", WHEN)
    deployed = at_center(center)
    Asset.objects.filter(pk=deployed.pk).update(status=Status.DEPLOYED, center=None)
    with pytest.raises(DispositionRefused, match="deployed, not at a circular center"):
        dispose(deployed, center, "recycle", WHEN)


def test_disposition_copies_site_category_mass_and_carbon_at_decision_time():
    site, center = campus()
    asset = at_center(center, category=Category.GPU, mass_kg="1.5", embodied="320")
    (row,) = dispose(asset, center, "resale", WHEN)
    asset.part_model.mass_kg = Decimal("9")
    asset.part_model.save()
    row.refresh_from_db()
    assert (row.site, row.category, row.mass_kg, row.embodied_kgco2e) == (site, "gpu", Decimal("1.5"), Decimal("320"))


def test_a_sanitization_of_an_asset_that_is_not_data_bearing_is_refused_and_names_the_drives():
    """A server's own serial is not where its data lives: the record would leave its drives unsanitized."""
    _, center = campus()
    server, parts, ssd = server_tree(center)
    with pytest.raises(SanitizationRefused, match="not data-bearing; record the sanitization of its drives"):
        dispositions.record_sanitization(
            asset=server,
            method="purge",
            performed_at=WHEN,
            performed_by="Tech A",
            verified=True,
            certificate_id="C-1",
        )
    assert not SanitizationRecord.objects.exists()
    record = dispositions.record_sanitization(
        asset=ssd, method="purge", performed_at=WHEN, performed_by="Tech A", verified=True, certificate_id="C-1"
    )
    assert record.asset == ssd
