"""Circular centers and shipments in the admin: ship from a site, receive at a center."""

import datetime as dt

import pytest
from django.urls import reverse

from circularity.models import Shipment
from inventory.choices import Status
from inventory.models import Asset, LifecycleEvent
from tests.circularity.admin_support import (
    OPERATOR,
    TECHNICIAN,
    apply_action,
    campus,
    choose_action,
    logged_in,
    messages_of,
    moment,
)
from tests.factories import AssetFactory, SiteFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:circularity_shipment_add")
CHANGELIST = reverse("admin:circularity_shipment_changelist")
SHIPPED = dt.datetime(2022, 3, 1, 9, 0, tzinfo=dt.UTC)
RECEIVED = dt.datetime(2022, 3, 4, 15, 30, tzinfo=dt.UTC)


def decommissioned(site, **kwargs):
    return AssetFactory(status=Status.DECOMMISSIONED, site=site, **kwargs)


def ship_payload(site, center, text="", **extra):
    return {
        "apply": "yes",
        "from_site": site.pk,
        "to_center": center.pk,
        **moment("shipped_at", SHIPPED),
        "tracking_ref": "TRK-1",
        "serial_numbers": text,
        **extra,
    }


def in_transit_shipment(site, center, assets):
    shipment = Shipment.objects.create(from_site=site, to_center=center, shipped_at=SHIPPED, tracking_ref="TRK-9")
    shipment.assets.set(assets)
    return shipment


def test_operator_ships_pasted_serial_numbers(client):
    user = logged_in(client, OPERATOR)
    site, center = campus()
    first, second = decommissioned(site), decommissioned(site)
    response = client.post(ADD, ship_payload(site, center, f"{first.serial_number}\n{second.serial_number}, "))
    shipment = Shipment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:circularity_shipment_change", args=[shipment.pk])
    assert set(shipment.assets.values_list("serial_number", flat=True)) == {first.serial_number, second.serial_number}
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.IN_TRANSIT}
    event = LifecycleEvent.objects.filter(asset=first).get()
    assert (event.source, event.actor, event.occurred_at) == ("admin", user, SHIPPED)


def test_operator_ships_assets_picked_from_the_sites_list(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    picked, left = decommissioned(site), decommissioned(site)
    page = client.get(ADD, {"from_site": site.pk})
    assert picked.serial_number in page.content.decode()
    assert page.context["form"].initial["to_center"] == center  # the campus's own center
    client.post(ADD, ship_payload(site, center, assets=[picked.pk]))
    assert list(Shipment.objects.get().assets.all()) == [picked]
    left.refresh_from_db()
    assert left.status == Status.DECOMMISSIONED


def test_add_page_lists_sites_with_assets_awaiting_shipment(client):
    logged_in(client, OPERATOR)
    site, _ = campus()
    decommissioned(site), decommissioned(site)
    AssetFactory(status=Status.DEPLOYED, site=site)
    awaiting = list(client.get(ADD).context["awaiting"])
    assert awaiting == [{"site_id": site.pk, "site__code": "AMS05", "count": 2}]


def test_shipping_an_asset_from_another_site_is_refused_naming_it(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    elsewhere = decommissioned(SiteFactory(code="DUB08"))
    here = decommissioned(site)
    response = client.post(ADD, ship_payload(site, center, f"{here.serial_number} {elsewhere.serial_number}"))
    assert response.status_code == 200
    assert any(elsewhere.serial_number in message and "AMS05" in message for message in messages_of(response))
    assert not Shipment.objects.exists()
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.DECOMMISSIONED}


def test_shipping_a_deployed_asset_is_refused_with_the_transition_rule(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    deployed = AssetFactory(status=Status.DEPLOYED, site=site)
    response = client.post(ADD, ship_payload(site, center, deployed.serial_number))
    [refusal, _nothing_written] = messages_of(response)
    assert f"Asset {deployed.serial_number} is deployed; it cannot go to in_transit" in refusal
    assert not Shipment.objects.exists()


def test_unknown_serial_numbers_are_named_in_the_form(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    response = client.post(ADD, ship_payload(site, center, "NOPE-1 NOPE-2"))
    assert response.context["form"].errors["serial_numbers"] == ["No asset has serial number: NOPE-1, NOPE-2."]
    assert not Shipment.objects.exists()


def test_a_shipment_needs_at_least_one_asset(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    response = client.post(ADD, ship_payload(site, center, "  "))
    assert "a shipment needs at least one" in str(response.context["form"].non_field_errors())


def test_technician_may_not_ship(client):
    logged_in(client, TECHNICIAN)
    assert client.get(ADD).status_code == 403


def test_technician_receives_a_shipment_from_its_page(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    asset = AssetFactory(status=Status.IN_TRANSIT, site=site)
    shipment = in_transit_shipment(site, center, [asset])
    page = client.get(reverse("admin:circularity_shipment_change", args=[shipment.pk]))
    receive_url = reverse("admin:circularity_shipment_receive", args=[shipment.pk])
    assert receive_url in page.content.decode()
    response = client.post(receive_url, {"apply": "yes", **moment("received_at", RECEIVED)}, follow=True)
    assert "Shipment TRK-9 AMS05 → CC-AMS received at CC-AMS." in messages_of(response)
    asset.refresh_from_db()
    shipment.refresh_from_db()
    assert (asset.status, asset.center, shipment.received_at) == (Status.AT_CIRCULAR_CENTER, center, RECEIVED)
    assert (
        receive_url not in client.get(reverse("admin:circularity_shipment_change", args=[shipment.pk])).content.decode()
    )


def test_receiving_twice_is_refused_plainly(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    shipment = in_transit_shipment(site, center, [AssetFactory(status=Status.AT_CIRCULAR_CENTER, center=center)])
    Shipment.objects.filter(pk=shipment.pk).update(received_at=RECEIVED)
    url = reverse("admin:circularity_shipment_receive", args=[shipment.pk])
    response = client.post(url, {"apply": "yes", **moment("received_at", RECEIVED)})
    assert response.status_code == 200
    assert "was already received at 2022-03-04 15:30" in messages_of(response)[0]


def test_bulk_receive_receives_every_shipment(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    first = in_transit_shipment(site, center, [AssetFactory(status=Status.IN_TRANSIT, site=site)])
    second = in_transit_shipment(site, center, [AssetFactory(status=Status.IN_TRANSIT, site=site)])
    page = choose_action(client, CHANGELIST, "receive_shipments", [first, second])
    assert page.status_code == 200 and "received_at_0" in page.content.decode()
    response = apply_action(client, CHANGELIST, "receive_shipments", [first, second], **moment("received_at", RECEIVED))
    assert "Received 2 shipment(s)." in messages_of(response)
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.AT_CIRCULAR_CENTER}


def test_bulk_receive_is_all_or_nothing(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    waiting = in_transit_shipment(site, center, [AssetFactory(status=Status.IN_TRANSIT, site=site)])
    done = in_transit_shipment(site, center, [])
    Shipment.objects.filter(pk=done.pk).update(received_at=RECEIVED)
    response = apply_action(
        client, CHANGELIST, "receive_shipments", [waiting, done], follow=False, **moment("received_at", RECEIVED)
    )
    assert response.status_code == 200
    assert any("already received" in message for message in messages_of(response))
    waiting.refresh_from_db()
    assert waiting.received_at is None
    assert Asset.objects.get().status == Status.IN_TRANSIT


def test_shipment_page_shows_its_assets_and_keeps_what_was_shipped(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    asset = AssetFactory(status=Status.IN_TRANSIT, site=site)
    shipment = in_transit_shipment(site, center, [asset])
    url = reverse("admin:circularity_shipment_change", args=[shipment.pk])
    assert asset.serial_number in client.get(url).content.decode()
    other = SiteFactory(code="ZZZ01")
    client.post(url, {"tracking_ref": "TRK-10", "from_site": other.pk, "shipped_at_0": "2020-01-01"})
    shipment.refresh_from_db()
    assert (shipment.tracking_ref, shipment.from_site, shipment.shipped_at) == ("TRK-10", site, SHIPPED)


def test_shipments_are_searched_by_serial_number(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    wanted = in_transit_shipment(site, center, [AssetFactory(serial_number="SRV-42", status=Status.IN_TRANSIT)])
    in_transit_shipment(site, center, [AssetFactory(status=Status.IN_TRANSIT)])
    response = client.get(CHANGELIST, {"q": "SRV-42"})
    assert list(response.context["cl"].result_list) == [wanted]


def test_center_list_shows_sites_served_and_counts(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    AssetFactory(status=Status.AT_CIRCULAR_CENTER, center=center, site=site)
    AssetFactory(status=Status.AT_CIRCULAR_CENTER, center=center, site=site)
    in_transit_shipment(site, center, [])
    response = client.get(reverse("admin:circularity_circularcenter_changelist"))
    [row] = response.context["cl"].result_list
    assert (row.held, row.incoming) == (2, 1)
    assert "AMS05" in response.content.decode()


def test_a_link_can_open_the_shipment_form_filled_in(client):
    logged_in(client, OPERATOR)
    site, center = campus()
    first, second = decommissioned(site), decommissioned(site)
    query = {"from_site": site.pk, "serial": [first.serial_number, second.serial_number]}
    form = client.get(ADD, query).context["form"]
    assert form.initial["serial_numbers"] == f"{first.serial_number}\n{second.serial_number}"
    assert (form.initial["from_site"], form.initial["to_center"]) == (site, center)
