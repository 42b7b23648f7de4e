"""Access scopes: a user limited to some sites and centers sees and writes nothing else."""

import pytest

from circularity.dispositions import record_disposition
from circularity.models import Disposition, Shipment
from inventory.choices import Status
from inventory.models import AccessScope, Asset, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, SanitizationFactory, UserFactory

from .conftest import LIFECYCLE, grant, iso

pytestmark = pytest.mark.django_db

EVERYTHING = (
    "inventory.view_asset",
    "inventory.add_asset",
    "inventory.view_lifecycleevent",
    "circularity.view_disposition",
    "circularity.add_disposition",
    "circularity.view_sanitizationrecord",
    "circularity.add_sanitizationrecord",
    "circularity.view_shipment",
    "circularity.add_shipment",
    *LIFECYCLE,
)


@pytest.fixture
def two_campuses(site, other_site, center, server_model, when):
    """AMS05 (with AMS-CC) and DUB07 (with DUB-CC), each with a server, a sanitized one and history."""
    dub_center = CircularCenterFactory(code="DUB-CC", sites=[other_site])
    for code, place, hub in (("AMS", site, center), ("DUB", other_site, dub_center)):
        deployed = AssetFactory(serial_number=f"{code}-1", site=place, part_model=server_model, status=Status.DEPLOYED)
        LifecycleEvent.objects.create(
            asset=deployed, from_status="in_stock", to_status="deployed", occurred_at=when, source="api"
        )
        held = AssetFactory(
            serial_number=f"{code}-2", site=place, part_model=server_model, status=Status.AT_CIRCULAR_CENTER, center=hub
        )
        SanitizationFactory(asset=held)
        record_disposition(asset=held, center=hub, route="recycle", decided_at=when, source="api")
        AssetFactory(serial_number=f"{code}-3", site=place, part_model=server_model, status=Status.DECOMMISSIONED)
        Shipment.objects.create(from_site=place, to_center=hub, shipped_at=when)


@pytest.fixture
def ams_only(client_with, site):
    client = client_with(*EVERYTHING)
    AccessScope.objects.create(user=client.user).sites.set([site])
    return client


def serials(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return sorted(row.get("serial_number") or row.get("asset") for row in response.json()["results"])


def test_a_scoped_user_lists_only_assets_in_scope(ams_only, two_campuses):
    assert serials(ams_only, "/api/v1/assets/") == ["AMS-1", "AMS-2", "AMS-3"]
    assert serials(ams_only, "/api/v1/assets/?site=DUB07") == []


def test_a_scoped_user_lists_only_their_events_dispositions_sanitizations_shipments(ams_only, two_campuses):
    assert serials(ams_only, "/api/v1/events/") == ["AMS-1", "AMS-2"]
    assert serials(ams_only, "/api/v1/dispositions/") == ["AMS-2"]
    assert serials(ams_only, "/api/v1/sanitizations/") == ["AMS-2"]
    assert [s["from_site"] for s in ams_only.get("/api/v1/shipments/").json()["results"]] == ["AMS05"]


def test_objects_outside_the_scope_are_404_not_403(ams_only, two_campuses, when):
    assert ams_only.get("/api/v1/assets/DUB-1/").status_code == 404
    assert ams_only.get("/api/v1/assets/DUB-1/events/").status_code == 404
    body = {"to": "decommissioned", "occurred_at": iso(when)}
    assert ams_only.post("/api/v1/assets/DUB-1/transition/", body, format="json").status_code == 404
    assert Asset.objects.get(serial_number="DUB-1").status == Status.DEPLOYED
    dub_disposition = Disposition.objects.get(asset__serial_number="DUB-2").pk
    assert ams_only.get(f"/api/v1/dispositions/{dub_disposition}/").status_code == 404
    assert ams_only.get("/api/v1/assets/AMS-1/").status_code == 200


def test_write_bodies_cannot_reach_outside_the_scope(ams_only, two_campuses, server_model, when):
    batch = [{"asset": "DUB-1", "to": "decommissioned", "occurred_at": iso(when)}]
    response = ams_only.post("/api/v1/events/", batch, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["fields"] == {"asset": ["No asset has serial number 'DUB-1'."]}
    sanitization = {"asset": "DUB-3", "method": "clear", "performed_at": iso(when), "performed_by": "T"}
    assert ams_only.post("/api/v1/sanitizations/", sanitization, format="json").json() == {
        "asset": ["No asset has serial number 'DUB-3'."]
    }
    shipment = {"from_site": "DUB07", "to_center": "DUB-CC", "shipped_at": iso(when), "assets": ["DUB-3"]}
    assert ams_only.post("/api/v1/shipments/", shipment, format="json").status_code == 400
    new = {"serial_number": "NEW-1", "part_model": server_model.pk, "site": "DUB07"}
    response = ams_only.post("/api/v1/assets/", new, format="json")
    assert response.status_code == 400
    assert response.json() == {"site": ["No site has code 'DUB07'."]}
    assert not Asset.objects.filter(serial_number="NEW-1").exists()


def test_a_scoped_user_writes_inside_the_scope(ams_only, two_campuses, server_model, when):
    new = {"serial_number": "NEW-2", "part_model": server_model.pk, "site": "AMS05"}
    assert ams_only.post("/api/v1/assets/", new, format="json").status_code == 201
    body = {"to": "decommissioned", "occurred_at": iso(when)}
    assert ams_only.post("/api/v1/assets/AMS-1/transition/", body, format="json").status_code == 200


def test_a_center_in_scope_shows_what_it_holds(client_with, two_campuses):
    technician = client_with(*EVERYTHING)
    AccessScope.objects.create(user=technician.user).centers.set(
        [CircularCenterFactory(code="DUB-CC")]  # the existing center, by its code
    )
    assert serials(technician, "/api/v1/assets/") == ["DUB-2"]
    assert serials(technician, "/api/v1/dispositions/") == ["DUB-2"]


def test_an_empty_scope_sees_nothing(client_with, two_campuses):
    nobody = client_with(*EVERYTHING)
    AccessScope.objects.create(user=nobody.user)
    assert serials(nobody, "/api/v1/assets/") == []


def test_a_user_without_a_scope_sees_everything(client_with, two_campuses):
    assert len(serials(client_with(*EVERYTHING), "/api/v1/assets/")) == 6


def test_a_scope_applies_to_session_users_too(client, two_campuses, site):
    user = grant(UserFactory(username="browser"), "inventory.view_asset")
    AccessScope.objects.create(user=user).sites.set([site])
    client.force_login(user)
    response = client.get("/api/v1/assets/", HTTP_ACCEPT="application/json")
    assert sorted(row["serial_number"] for row in response.json()["results"]) == ["AMS-1", "AMS-2", "AMS-3"]


def test_metrics_are_organisation_wide(ams_only, two_campuses):
    [row] = ams_only.get("/api/v1/metrics/circularity/?start=2022-03&end=2022-03").json()["results"]
    assert row["units"] == 2  # both campuses' dispositions
