"""The API's scope leaks found in issue 10, one test each (every one failed before the fix).

The two campuses of ``world``: the AMS user (scoped to AMS91 and AMS-CX) asks about DUB.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from rest_framework.authtoken.models import Token

from api.errors import exception_handler
from circularity import custody
from circularity.models import CircularCenter
from inventory.models import AccessScope, Asset, LifecycleEvent, Site
from tests.factories import AssetFactory, UserFactory

from .checks import api_client
from .world import AT_LATER, LATER, REPORT_SECRET, fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def ams(world):
    return api_client(world.users["AMS"])


def test_an_external_id_used_in_another_scope_is_already_used_and_nothing_more(world, ams):
    batch = [{"asset": "SN-AMS-SRV1", "to": "missing", "occurred_at": AT_LATER, "external_id": "KEY-DUB-1"}]
    response = ams.post("/api/v1/events/", batch, format="json")
    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert error == {
        "index": 0,
        "code": "external_id_conflict",
        "external_id": "KEY-DUB-1",
        "detail": "external_id 'KEY-DUB-1' is already used; an idempotency key names one change only.",
    }
    assert "SN-DUB" not in response.content.decode() and "deployed" not in response.content.decode()


def test_an_external_id_used_in_the_scope_still_describes_what_it_applied(world, ams):
    batch = [{"asset": "SN-AMS-SRV1", "to": "missing", "occurred_at": AT_LATER, "external_id": "KEY-AMS-2"}]
    [error] = ams.post("/api/v1/events/", batch, format="json").json()["errors"]
    assert "asset SN-AMS-SRV2 -> decommissioned at 2024-03-15T12:00:00+00:00" in error["detail"]


def _register(client, **fields):
    body = {"part_model": Asset.objects.get(serial_number="SN-AMS-SRV1").part_model_id, "site": "AMS91", **fields}
    return client.post("/api/v1/assets/", body, format="json")


def test_a_serial_number_taken_outside_the_scope_is_not_available(world, ams):
    response = _register(ams, serial_number="SN-DUB-SRV1")
    assert response.status_code == 400
    assert response.json() == {"serial_number": ["Serial number 'SN-DUB-SRV1' is not available."]}


def test_a_serial_number_taken_in_the_scope_says_the_asset_exists(world, ams):
    assert _register(ams, serial_number="SN-AMS-SRV1").json() == {
        "serial_number": ["An asset with serial number 'SN-AMS-SRV1' exists."]
    }


def test_an_asset_tag_taken_outside_the_scope_is_not_available(world, ams):
    response = _register(ams, serial_number="SN-NEW-1", asset_tag="TAG-DUB-2")
    assert response.json() == {"asset_tag": ["Asset tag 'TAG-DUB-2' is not available."]}


def test_sites_centers_and_packaging_records_are_those_of_the_scope(world, ams):
    assert [row["code"] for row in ams.get("/api/v1/sites/").json()["results"]] == ["AMS91"]
    assert [row["code"] for row in ams.get("/api/v1/circular-centers/").json()["results"]] == ["AMS-CX"]
    assert [row["site"] for row in ams.get("/api/v1/packaging-records/").json()["results"]] == ["AMS91"]
    assert ams.get("/api/v1/sites/DUB92/").status_code == 404


def test_the_compliance_report_is_not_a_scoped_users_to_read(world, ams):
    assert ams.get("/api/v1/reports/").json()["results"] == []
    for url in ("/api/v1/reports/2024-03/", "/api/v1/reports/2024-03/pdf/", "/api/v1/reports/2024-03/csv/"):
        response = ams.get(url)
        assert response.status_code == 404, url
        assert REPORT_SECRET.encode() not in response.content
    assert api_client(world.users["unscoped"]).get("/api/v1/reports/2024-03/pdf/").status_code == 200


def test_a_center_outside_the_scope_is_unknown_to_a_bulk_batch(world, ams):
    batch = [{"asset": "SN-AMS-SRV2", "to": "at_circular_center", "center": "DUB-CX", "occurred_at": AT_LATER}]
    response = ams.post("/api/v1/events/", batch, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["fields"] == {"center": ["No circular center has code 'DUB-CX'."]}


def test_a_center_outside_the_scope_is_unknown_to_a_transition(world, ams):
    body = {"to": "at_circular_center", "center": "DUB-CX", "occurred_at": AT_LATER}
    response = ams.post("/api/v1/assets/SN-AMS-SRV2/transition/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"center": ["No circular center has code 'DUB-CX'."]}


def test_nothing_is_shipped_to_a_center_outside_the_scope(world, ams):
    before = fingerprint()
    body = {"from_site": "AMS91", "to_center": "DUB-CX", "shipped_at": AT_LATER, "assets": ["SN-AMS-SRV2"]}
    response = ams.post("/api/v1/shipments/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"to_center": ["No circular center has code 'DUB-CX'."]}
    assert fingerprint() == before


def test_a_reuse_does_not_send_an_asset_to_a_site_outside_the_scope(world, ams):
    body = {"asset": "SN-AMS-SRV3", "center": "AMS-CX", "route": "reuse", "to_site": "DUB92", "decided_at": AT_LATER}
    response = ams.post("/api/v1/dispositions/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"to_site": ["No site has code 'DUB92'."]}
    assert Asset.objects.get(serial_number="SN-AMS-SRV3").status == "at_circular_center"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/sites/", {"code": "NEW01", "name": "N", "region": "r", "country": "NL"}),
        ("patch", "/api/v1/sites/AMS91/", {"name": "Renamed"}),
        ("patch", "/api/v1/circular-centers/AMS-CX/", {"name": "Renamed"}),
        ("post", "/api/v1/part-models/", {"manufacturer": "M", "model_number": "N", "category": "cpu", "mass_kg": 1}),
        ("patch", "/api/v1/part-models/{part_model}/", {"mass_kg": 99}),
        ("delete", "/api/v1/targets/{target}/", None),
    ],
)
def test_a_scoped_user_changes_no_organisation_wide_data(world, ams, method, url, body):
    url = url.format(part_model=world.server_model.pk, target=world.target_pk)
    before = fingerprint()
    response = getattr(ams, method)(url, body, format="json")
    assert response.status_code == 403
    assert fingerprint() == before


def test_a_component_of_a_parent_seen_through_its_center_stays_in_the_scope(world, ams):
    """A parent at a DUB site held at AMS-CX is visible to AMS; its site is not theirs."""
    parent = AssetFactory(serial_number="SN-DUB-HELD", site=Asset.objects.get(serial_number="SN-DUB-SRV1").site)
    Asset.objects.filter(pk=parent.pk).update(center=Asset.objects.get(serial_number="SN-AMS-SRV3").center)
    response = ams.post(
        "/api/v1/assets/",
        {"serial_number": "SN-NEW-3", "part_model": parent.part_model_id, "parent": "SN-DUB-HELD"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"site": ["No site has code 'DUB92'."]}


def test_a_refused_deletion_names_the_kind_of_records_not_the_records(world):
    assets = list(Asset.objects.filter(serial_number__startswith="SN-DUB"))
    response = exception_handler(ProtectedError("protected", set(assets)), {})
    assert response.status_code == 409
    assert response.data["detail"] == "It is still referred to by other records (assets); it cannot be deleted."
    assert LifecycleEvent.objects.exists()


def test_a_centers_staff_see_the_whole_manifest_of_a_shipment_bound_for_their_center(world):
    """A decision (docs/api.md): a shipment lies at the center it goes to, manifest and all."""
    technician = UserFactory(username="dub-technician", password="!")
    technician.user_permissions.set(Permission.objects.filter(codename__in=["view_shipment", "view_asset"]))
    scope = AccessScope.objects.create(user=technician)
    scope.centers.set([CircularCenter.objects.get(code="DUB-CX")])
    Token.objects.create(user=technician)
    client = api_client(technician)
    ams = Site.objects.get(code="AMS91")
    custody.ship(
        assets=["SN-AMS-SRV2"],
        from_site=ams,
        to_center=CircularCenter.objects.get(code="DUB-CX"),
        shipped_at=LATER,
        source="api",
    )
    shipments = client.get("/api/v1/shipments/").json()["results"]
    assert [(s["from_site"], s["to_center"], s["assets"]) for s in shipments] == [
        ("AMS91", "DUB-CX", ["SN-AMS-SRV2"]),
        ("DUB92", "DUB-CX", ["SN-DUB-SRV5"]),
    ]
    assert client.get("/api/v1/assets/SN-AMS-SRV2/").status_code == 404  # in transit: not at their center yet


def test_the_import_command_applies_the_scope_of_its_user(world, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text("serial_number,manufacturer,model_number,site\nSN-NEW-9,Contoso,R740,DUB92\n")
    with pytest.raises(CommandError):
        call_command("import_assets", str(path), "--user", "staff-ams", "--no-progress", stderr=io.StringIO())
    assert not Asset.objects.filter(serial_number="SN-NEW-9").exists()
    call_command("import_assets", str(path), "--user", "staff-all", "--no-progress", stdout=io.StringIO())
    assert Asset.objects.get(serial_number="SN-NEW-9").site.code == "DUB92"


def test_a_tree_lies_in_one_place_so_a_refusal_names_no_part_outside_the_scope(world, ams):
    """Refusals name a parent or the parts of a tree (TransitionRefused, PartMoveRefused,
    SanitizationMissing); every asset of a tree shares its top's site and center, whatever
    moved it (registration, install, transitions, dispositions), so they lie in the scope
    of whoever may name the tree."""
    body = {"parent": "SN-AMS-SRV1", "occurred_at": AT_LATER}
    assert ams.post("/api/v1/assets/SN-AMS-SRV2/install/", body, format="json").status_code == 200
    move = {"to": "missing", "occurred_at": AT_LATER}
    refused = ams.post("/api/v1/assets/SN-AMS-SSD1/transition/", move, format="json")
    assert refused.status_code == 409 and "installed in SN-AMS-SRV1" in refused.json()["detail"]
    mismatched = [
        asset.serial_number
        for asset in Asset.objects.filter(parent__isnull=False).select_related("parent")
        if (asset.site_id, asset.center_id) != (asset.parent.site_id, asset.parent.center_id)
    ]
    assert mismatched == []
