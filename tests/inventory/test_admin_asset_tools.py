"""The buttons of one asset's page: each next state one click away, parts installed into a
server from its page, a part installed into a server from the part's page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory.choices import Action, Category, Source, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

WHEN = {"occurred_at_0": "2022-03-15", "occurred_at_1": "12:00:00", "note": "ticket 42"}


def page(asset):
    return reverse("admin:inventory_asset_change", args=[asset.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def part(site, category=Category.MEMORY, **kwargs):
    return AssetFactory(part_model=PartModelFactory(category=category, mass_kg="0.03"), site=site, **kwargs)


@pytest.fixture
def site():
    return SiteFactory(code="AMS05")


def test_each_allowed_next_state_is_one_click_from_the_asset_page(admin_client, site):
    asset = AssetFactory(status=Status.DECOMMISSIONED, site=site)
    body = admin_client.get(page(asset)).content.decode()
    move = reverse("admin:inventory_asset_move", args=[asset.pk])
    for state in (Status.DEPLOYED, Status.AT_CIRCULAR_CENTER, Status.MISSING):
        assert f"{move}?to={state}" in body
    # Shipping is the shipment page's, pre-filled with the asset and its site.
    ship = reverse("admin:circularity_shipment_add")
    assert f"{ship}?from_site={site.pk}&amp;serial={asset.serial_number}" in body


def test_the_move_form_is_pre_filled_with_the_state_clicked_and_moves_the_tree(admin_client, site):
    server = AssetFactory(status=Status.DEPLOYED, site=site)
    dimm = part(site, status=Status.DEPLOYED, parent=server)
    url = reverse("admin:inventory_asset_move", args=[server.pk])
    form = admin_client.get(url, {"to": Status.DECOMMISSIONED}).context["form"]
    assert form.initial["to"] == Status.DECOMMISSIONED
    response = admin_client.post(url, {"to": Status.DECOMMISSIONED, "center": "", **WHEN}, follow=True)
    assert response.redirect_chain[-1][0] == page(server)
    assert f"{server.serial_number} is now Decommissioned. 1 component(s) installed in it moved with it." in (
        messages_of(response)
    )
    assert set(Asset.objects.filter(pk__in=[server.pk, dimm.pk]).values_list("status", flat=True)) == {
        Status.DECOMMISSIONED
    }
    event = LifecycleEvent.objects.get(asset=server, to_status=Status.DECOMMISSIONED)
    assert (event.source, event.note) == (Source.ADMIN, "ticket 42")


def test_a_refused_move_names_the_rule_and_changes_nothing(admin_client, site):
    asset = AssetFactory(status=Status.DEPLOYED, site=site)
    url = reverse("admin:inventory_asset_move", args=[asset.pk])
    response = admin_client.post(url, {"to": Status.AT_CIRCULAR_CENTER, "center": "", **WHEN})
    assert "Name the circular center" in response.content.decode()
    center = CircularCenterFactory(code="AMS-CC", sites=[site])
    response = admin_client.post(url, {"to": Status.AT_CIRCULAR_CENTER, "center": center.pk, **WHEN}, follow=True)
    assert any("Nothing was changed." in text and "deployed" in text for text in messages_of(response))
    asset.refresh_from_db()
    assert asset.status == Status.DEPLOYED


def test_a_server_page_installs_parts_chosen_or_scanned_through_the_lifecycle_service(admin_client, site):
    server = AssetFactory(status=Status.DEPLOYED, site=site)
    cpu, dimm = part(site, Category.CPU, status=Status.IN_STOCK), part(site, status=Status.IN_STOCK)
    elsewhere = part(SiteFactory(code="DUB07"), status=Status.IN_STOCK)
    inside = part(site, status=Status.DEPLOYED, parent=AssetFactory(status=Status.DEPLOYED, site=site))
    assert "Install parts…" in admin_client.get(page(server)).content.decode()
    url = reverse("admin:inventory_asset_parts", args=[server.pk])
    offered = set(admin_client.get(url).context["form"].fields["parts"].queryset)
    assert offered == {cpu, dimm}  # not another site's, not one installed elsewhere, not a server
    assert elsewhere not in offered and inside not in offered
    response = admin_client.post(url, {"parts": [cpu.pk], "scanned": f"{dimm.serial_number}\n", **WHEN}, follow=True)
    assert f"Installed 2 part(s) in {server.serial_number}." in messages_of(response)
    for installed in (cpu, dimm):
        installed.refresh_from_db()
        assert (installed.parent, installed.status) == (server, Status.DEPLOYED)  # took the server's state
        assert LifecycleEvent.objects.filter(asset=installed, action=Action.INSTALL, parent=server).exists()


def test_installing_parts_is_all_or_nothing_and_names_the_refused_part(admin_client, site):
    server = AssetFactory(status=Status.DEPLOYED, site=site)
    dimm = part(site, status=Status.IN_STOCK)
    elsewhere = part(SiteFactory(code="DUB07"), status=Status.IN_STOCK)
    url = reverse("admin:inventory_asset_parts", args=[server.pk])
    scanned = f"{dimm.serial_number}\n{elsewhere.serial_number}\nNOPE-1"
    response = admin_client.post(url, {"scanned": scanned, **WHEN}, follow=True)
    (text,) = messages_of(response)
    assert elsewhere.serial_number in text and "DUB07" in text and "Nothing was changed." in text
    dimm.refresh_from_db()
    assert dimm.parent is None
    response = admin_client.post(url, {"scanned": "", **WHEN})
    assert "Choose the parts to install, or scan their serial numbers." in response.content.decode()


def test_a_part_page_installs_it_into_the_server_named(admin_client, site):
    server = AssetFactory(status=Status.IN_STOCK, site=site)
    dimm = part(site, status=Status.IN_STOCK)
    assert "Install in a server…" in admin_client.get(page(dimm)).content.decode()
    url = reverse("admin:inventory_asset_install", args=[dimm.pk])
    assert server.serial_number in admin_client.get(url).context["datalist"]
    response = admin_client.post(url, {"parent": f" {server.serial_number} ", **WHEN}, follow=True)
    assert f"Installed {dimm.serial_number} in {server.serial_number}." in messages_of(response)
    dimm.refresh_from_db()
    assert dimm.parent == server
    response = admin_client.post(url, {"parent": "NOPE-9", **WHEN}, follow=True)
    assert any("NOPE-9" in text and "Nothing was changed." in text for text in messages_of(response))


def test_a_user_who_may_only_view_assets_gets_no_buttons(client, site, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_asset"))
    client.force_login(viewer)
    asset = AssetFactory(status=Status.DECOMMISSIONED, site=site)
    body = client.get(page(asset)).content.decode()
    assert "/move/?to=" not in body, [line for line in body.splitlines() if "/move/" in line]
    assert "Install parts" not in body and "Install in a server" not in body
    assert client.get(reverse("admin:inventory_asset_move", args=[asset.pk])).status_code == 403
