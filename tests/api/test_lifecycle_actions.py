"""The lifecycle actions of an asset: transition, dismantle, remove, install."""

import datetime as dt

import pytest

from inventory.choices import Category, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory

from .conftest import iso

pytestmark = pytest.mark.django_db


def transition(api, serial, **body):
    return api.post(f"/api/v1/assets/{serial}/transition/", body, format="json")


def test_a_transition_answers_the_asset_and_every_event_it_wrote(api, server, drive, when):
    response = transition(api, "SRV-001", to="decommissioned", occurred_at=iso(when), note="End of life")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["asset"]["status"] == "decommissioned"
    assert body["asset"]["decommissioned_at"] == "2022-03-15T12:00:00Z"
    assert body["asset"]["components"] == ["SSD-001"]
    assert [(e["asset"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("SRV-001", "deployed", "decommissioned"),
        ("SSD-001", "deployed", "decommissioned"),
    ]
    assert {(e["source"], e["actor"], e["note"], e["location"]) for e in body["events"]} == {
        ("api", "admin", "End of life", "AMS05")
    }
    assert Asset.objects.get(serial_number="SSD-001").status == Status.DECOMMISSIONED


def test_arriving_at_a_circular_center_names_it(api, server, center, when):
    Asset.objects.filter(pk=server.pk).update(status=Status.DECOMMISSIONED)
    response = transition(api, "SRV-001", to="at_circular_center", occurred_at=iso(when), center="AMS-CC")
    assert response.status_code == 200
    assert response.json()["asset"]["center"] == "AMS-CC"
    assert response.json()["events"][0]["location"] == "AMS-CC"


def test_a_refused_transition_is_409_with_the_rules_data_and_writes_nothing(api, server, when):
    response = transition(api, "SRV-001", to="recycled", occurred_at=iso(when))
    assert response.status_code == 409
    assert response.json() == {
        "code": "transition_refused",
        "detail": response.json()["detail"],
        "asset": "SRV-001",
        "current": "deployed",
        "requested": "recycled",
        "allowed": ["decommissioned", "missing"],
    }
    assert "Allowed next states: decommissioned, missing" in response.json()["detail"]
    assert not LifecycleEvent.objects.exists()


def test_a_component_cannot_move_on_its_own(api, drive, when):
    response = transition(api, "SSD-001", to="decommissioned", occurred_at=iso(when))
    assert response.status_code == 409
    assert "installed in SRV-001" in response.json()["detail"]


def test_a_center_that_does_not_serve_the_site_is_409(api, server, other_site, when):
    CircularCenterFactory(code="DUB-CC", sites=[other_site])
    Asset.objects.filter(pk=server.pk).update(status=Status.DECOMMISSIONED)
    response = transition(api, "SRV-001", to="at_circular_center", occurred_at=iso(when), center="DUB-CC")
    assert response.status_code == 409
    assert "does not serve site AMS05" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"occurred_at": "2022-03-15T12:00:00Z"}, "to"),
        ({"to": "flying", "occurred_at": "2022-03-15T12:00:00Z"}, "to"),
        ({"to": "decommissioned"}, "occurred_at"),
        ({"to": "decommissioned", "occurred_at": "last tuesday"}, "occurred_at"),
        ({"to": "decommissioned", "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"to": "decommissioned", "occurred_at": "2022-03-15T12:00:00Z", "center": "NOPE"}, "center"),
        ({"to": "decommissioned", "occurred_at": "2022-03-15T12:00:00Z", "center": "AMS-CC"}, "center"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, server, center, body, field):
    response = api.post("/api/v1/assets/SRV-001/transition/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not LifecycleEvent.objects.exists()


def test_arriving_without_a_center_is_400(api, server, when):
    Asset.objects.filter(pk=server.pk).update(status=Status.DECOMMISSIONED)
    response = transition(api, "SRV-001", to="at_circular_center", occurred_at=iso(when))
    assert response.status_code == 400
    assert response.json() == {"center": ["Name the circular center it arrives at."]}


def test_found_again_at_its_center_needs_no_center(api, server, center, when):
    Asset.objects.filter(pk=server.pk).update(status=Status.AT_CIRCULAR_CENTER, center=center)
    assert transition(api, "SRV-001", to="missing", occurred_at=iso(when)).status_code == 200
    later = iso(when + dt.timedelta(days=1))
    response = transition(api, "SRV-001", to="at_circular_center", occurred_at=later)
    assert response.status_code == 200
    assert response.json()["asset"]["status"] == "at_circular_center"


def test_a_transition_of_an_unknown_asset_is_404(api, when):
    response = transition(api, "NOPE", to="decommissioned", occurred_at=iso(when))
    assert response.status_code == 404
    assert response.json()["code"] == "asset_not_found"


@pytest.fixture
def harvested(site, center, server_model, ssd_model):
    """A server at the circular center with a drive and a fan installed in it."""
    fan_model = PartModelFactory(category=Category.FAN, mass_kg="0.2")
    root = AssetFactory(
        serial_number="SRV-9", site=site, part_model=server_model, status=Status.AT_CIRCULAR_CENTER, center=center
    )
    for serial, model in (("SSD-9", ssd_model), ("FAN-9", fan_model)):
        AssetFactory(
            serial_number=serial,
            site=site,
            part_model=model,
            parent=root,
            status=Status.AT_CIRCULAR_CENTER,
            center=center,
        )
    return root


def test_dismantling_removes_every_part_and_answers_their_events(api, harvested, when):
    response = api.post("/api/v1/assets/SRV-9/dismantle/", {"occurred_at": iso(when)}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["asset"]["components"] == []
    assert sorted((e["asset"], e["action"], e["parent"]) for e in response.json()["events"]) == [
        ("FAN-9", "remove", "SRV-9"),
        ("SSD-9", "remove", "SRV-9"),
    ]
    assert set(Asset.objects.filter(serial_number__in=["FAN-9", "SSD-9"]).values_list("parent", flat=True)) == {None}


def test_dismantling_an_asset_that_is_not_at_a_center_is_409(api, server, drive, when):
    response = api.post("/api/v1/assets/SRV-001/dismantle/", {"occurred_at": iso(when)}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "part_move_refused"


def test_dismantling_needs_occurred_at(api, harvested):
    response = api.post("/api/v1/assets/SRV-9/dismantle/", {}, format="json")
    assert response.status_code == 400
    assert "occurred_at" in response.json()


def test_removing_and_installing_one_part(api, server, drive, site, server_model, when):
    AssetFactory(serial_number="SRV-002", site=site, part_model=server_model, status=Status.DEPLOYED)
    removed = api.post("/api/v1/assets/SSD-001/remove/", {"occurred_at": iso(when)}, format="json")
    assert removed.status_code == 200
    assert removed.json()["asset"]["parent"] is None
    assert removed.json()["events"][0]["action"] == "remove"
    body = {"parent": "SRV-002", "occurred_at": iso(when + dt.timedelta(hours=1))}
    installed = api.post("/api/v1/assets/SSD-001/install/", body, format="json")
    assert installed.status_code == 200, installed.json()
    assert installed.json()["asset"]["parent"] == "SRV-002"
    assert installed.json()["events"][-1]["action"] == "install"
    assert api.get("/api/v1/assets/SRV-002/").json()["components"] == ["SSD-001"]


def test_removing_a_part_that_is_not_installed_is_409(api, server, when):
    response = api.post("/api/v1/assets/SRV-001/remove/", {"occurred_at": iso(when)}, format="json")
    assert response.status_code == 409
    assert response.json()["asset"] == "SRV-001"


def test_installing_into_an_unknown_parent_is_400(api, server, when):
    body = {"parent": "NOPE", "occurred_at": iso(when)}
    response = api.post("/api/v1/assets/SRV-001/install/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["No asset has serial number 'NOPE'."]}


def test_installing_across_sites_is_409(api, server, other_site, ssd_model, when):
    AssetFactory(serial_number="SSD-X", site=other_site, part_model=ssd_model, status=Status.DEPLOYED)
    body = {"parent": "SRV-001", "occurred_at": iso(when)}
    response = api.post("/api/v1/assets/SSD-X/install/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "part_move_refused"
