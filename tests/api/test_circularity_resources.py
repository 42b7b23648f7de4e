"""Circular centers, shipments, sanitizations, dispositions, packaging records."""

import datetime as dt

import pytest

from circularity.models import Disposition, PackagingRecord, SanitizationRecord, Shipment
from inventory.choices import Status
from inventory.models import Asset
from tests.factories import PackagingRecordFactory, SanitizationFactory, VendorCertificationFactory

from .conftest import iso

pytestmark = pytest.mark.django_db


def test_centers_answer_by_code_with_the_sites_they_serve(api, center, other_site):
    assert api.get("/api/v1/circular-centers/AMS-CC/").json() == {
        "code": "AMS-CC",
        "name": "Circular center AMS-CC",
        "sites": ["AMS05"],
        "onsite_routes": ["resale", "recycle", "incineration_energy_recovery", "incineration", "landfill"],
    }
    response = api.post("/api/v1/circular-centers/", {"code": "DUB-CC", "name": "Dublin", "sites": ["DUB07"]})
    assert response.status_code == 201
    assert api.get("/api/v1/circular-centers/?site=DUB07").json()["results"][0]["code"] == "DUB-CC"
    bad = api.post("/api/v1/circular-centers/", {"code": "X", "name": "X", "sites": ["NOPE"]}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"sites": ["No site has code 'NOPE'."]}
    assert api.get("/api/v1/circular-centers/NOPE/").status_code == 404


def test_sites_are_created_read_and_updated_by_code(api, site):
    response = api.post("/api/v1/sites/", {"code": "SIN01", "name": "Singapore 1", "region": "sea", "country": "sg"})
    assert response.status_code == 201
    assert response.json()["country"] == "SG"
    assert api.patch("/api/v1/sites/SIN01/", {"name": "Singapore One"}).json()["name"] == "Singapore One"
    assert api.post("/api/v1/sites/", {"code": "AMS05", "name": "x", "region": "x", "country": "NL"}).status_code == 400
    assert api.post("/api/v1/sites/", {"code": "X1", "name": "x", "region": "x", "country": "Dutch"}).status_code == 400
    assert api.delete("/api/v1/sites/SIN01/").status_code == 405
    assert api.get("/api/v1/sites/?country=sg").json()["results"][0]["code"] == "SIN01"


def test_part_models_default_data_bearing_from_their_category(api):
    body = {"manufacturer": "Tailspin", "model_number": "TS-1", "category": "ssd", "mass_kg": "0.08"}
    response = api.post("/api/v1/part-models/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "id": response.json()["id"],
        "manufacturer": "Tailspin",
        "model_number": "TS-1",
        "category": "ssd",
        "mass_kg": 0.08,
        "data_bearing": True,
        "embodied_kgco2e": None,
        "hazardous": False,
        "focus_materials": ["data_storage"],
    }
    server = {"manufacturer": "Contoso", "model_number": "CX-1", "category": "server", "mass_kg": 18.4}
    assert api.post("/api/v1/part-models/", server, format="json").json()["data_bearing"] is False
    flash = {**server, "model_number": "CX-2", "data_bearing": True}
    assert api.post("/api/v1/part-models/", flash, format="json").json()["data_bearing"] is True


def test_part_models_default_hazardous_and_focus_materials_from_their_category(api):
    battery = {"manufacturer": "Tailspin", "model_number": "BBU-1", "category": "battery", "mass_kg": "4.2"}
    created = api.post("/api/v1/part-models/", battery, format="json").json()
    assert (created["hazardous"], created["focus_materials"]) == (True, ["battery"])
    server = {"manufacturer": "Contoso", "model_number": "CX-9", "category": "server", "mass_kg": 18}
    created = api.post("/api/v1/part-models/", server, format="json").json()
    assert (created["hazardous"], created["focus_materials"]) == (False, [])
    with_pack = {**server, "model_number": "CX-10", "hazardous": True, "focus_materials": ["battery", "circuit_board"]}
    created = api.post("/api/v1/part-models/", with_pack, format="json").json()
    assert (created["hazardous"], created["focus_materials"]) == (True, ["battery", "circuit_board"])
    changed = api.patch(f"/api/v1/part-models/{created['id']}/", {"hazardous": False}, format="json").json()
    assert (changed["hazardous"], changed["focus_materials"]) == (False, ["battery", "circuit_board"])
    assert [row["model_number"] for row in api.get("/api/v1/part-models/?hazardous=true").json()["results"]] == [
        "BBU-1"
    ]


@pytest.mark.parametrize("materials", [["asbestos"], ["battery", "battery"], "battery"])
def test_unknown_or_repeated_focus_materials_are_400(api, materials):
    body = {"manufacturer": "Tailspin", "model_number": "X", "category": "other", "mass_kg": 1}
    response = api.post("/api/v1/part-models/", {**body, "focus_materials": materials}, format="json")
    assert response.status_code == 400
    assert "focus_materials" in response.json()


def test_part_models_filter_by_manufacturer_model_number_and_category(api, server_model, ssd_model):
    def ids(query):
        return [row["id"] for row in api.get(f"/api/v1/part-models/?{query}").json()["results"]]

    assert ids("manufacturer=contoso") == [server_model.pk]
    assert ids("model_number=SSD-1T") == [ssd_model.pk]
    assert ids("category=ssd") == [ssd_model.pk]
    assert api.get(f"/api/v1/part-models/{ssd_model.pk}/").json()["data_bearing"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model_number": "R740"}, "non_field_errors"),
        ({"category": "toaster"}, "category"),
        ({"mass_kg": -1}, "mass_kg"),
        ({"mass_kg": "heavy"}, "mass_kg"),
    ],
)
def test_bad_part_models_are_400(api, server_model, change, field):
    body = {"manufacturer": "Contoso", "model_number": "R750", "category": "server", "mass_kg": 20, **change}
    response = api.post("/api/v1/part-models/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.fixture
def decommissioned(server, drive):
    Asset.objects.filter(pk__in=[server.pk, drive.pk]).update(status=Status.DECOMMISSIONED)
    return server


def test_shipping_and_receiving(api, decommissioned, center, when):
    body = {
        "from_site": "AMS05",
        "to_center": "AMS-CC",
        "shipped_at": iso(when),
        "tracking_ref": "TRK-1",
        "assets": ["SRV-001"],
    }
    response = api.post("/api/v1/shipments/", body, format="json")
    assert response.status_code == 201, response.json()
    shipment = response.json()
    assert (shipment["assets"], shipment["received_at"], shipment["tracking_ref"]) == (["SRV-001"], None, "TRK-1")
    assert Asset.objects.get(serial_number="SSD-001").status == Status.IN_TRANSIT
    later = iso(when + dt.timedelta(days=2))
    received = api.post(f"/api/v1/shipments/{shipment['id']}/receive/", {"received_at": later}, format="json")
    assert received.status_code == 200
    assert received.json()["received_at"] == later
    assert Asset.objects.get(serial_number="SRV-001").status == Status.AT_CIRCULAR_CENTER
    again = api.post(f"/api/v1/shipments/{shipment['id']}/receive/", {"received_at": later}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "custody_refused"
    assert api.get("/api/v1/shipments/?received=true").json()["results"][0]["id"] == shipment["id"]
    assert api.get("/api/v1/shipments/?received=false").json()["results"] == []


def test_shipping_a_deployed_asset_is_409(api, server, center, when):
    body = {"from_site": "AMS05", "to_center": "AMS-CC", "shipped_at": iso(when), "assets": ["SRV-001"]}
    response = api.post("/api/v1/shipments/", body, format="json")
    assert response.status_code == 409
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"assets": []}, "assets"),
        ({"assets": ["SRV-001", "NOPE", "NOPE2"]}, "assets"),
        ({"to_center": "NOPE"}, "to_center"),
        ({"from_site": None}, "from_site"),
    ],
)
def test_bad_shipments_are_400(api, decommissioned, center, when, change, field):
    body = {"from_site": "AMS05", "to_center": "AMS-CC", "shipped_at": iso(when), "assets": ["SRV-001"], **change}
    response = api.post("/api/v1/shipments/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Shipment.objects.exists()


def test_unknown_serials_of_a_shipment_are_named(api, decommissioned, center, when):
    body = {"from_site": "AMS05", "to_center": "AMS-CC", "shipped_at": iso(when), "assets": ["NOPE", "SRV-001"]}
    assert api.post("/api/v1/shipments/", body, format="json").json() == {
        "assets": ["No asset has serial number 'NOPE'."]
    }


def test_recording_a_sanitization(api, drive, when):
    body = {
        "asset": "SSD-001",
        "method": "purge",
        "performed_at": iso(when),
        "performed_by": "Tech A",
        "verified": True,
        "certificate_id": "C-1",
    }
    response = api.post("/api/v1/sanitizations/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["asset"] == "SSD-001" and response.json()["certificate_id"] == "C-1"
    assert api.get("/api/v1/sanitizations/?asset=SSD-001&verified=true").json()["results"][0]["method"] == "purge"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"certificate_id": ""}, "certificate_id"),
        ({"method": "shred"}, "method"),
        ({"asset": "NOPE"}, "asset"),
        ({"performed_by": ""}, "performed_by"),
    ],
)
def test_bad_sanitizations_are_400(api, drive, when, change, field):
    body = {
        "asset": "SSD-001",
        "method": "purge",
        "performed_at": iso(when),
        "performed_by": "Tech A",
        "verified": True,
        "certificate_id": "C-1",
        **change,
    }
    response = api.post("/api/v1/sanitizations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SanitizationRecord.objects.exists()


def test_sanitizing_an_asset_out_of_custody_is_409(api, drive, when):
    Asset.objects.filter(pk=drive.pk).update(status=Status.RESOLD)
    body = {"asset": "SSD-001", "method": "clear", "performed_at": iso(when), "performed_by": "T"}
    response = api.post("/api/v1/sanitizations/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "sanitization_refused"


def test_sanitizing_an_asset_that_is_not_data_bearing_is_409(api, server, drive, when):
    body = {"asset": server.serial_number, "method": "purge", "performed_at": iso(when), "performed_by": "T"}
    response = api.post("/api/v1/sanitizations/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "sanitization_refused"
    assert response.json()["asset"] == server.serial_number
    assert "not data-bearing" in response.json()["detail"]
    assert not SanitizationRecord.objects.exists()


@pytest.fixture
def at_center(server, drive, center):
    Asset.objects.filter(pk__in=[server.pk, drive.pk]).update(status=Status.AT_CIRCULAR_CENTER, center=center)
    return server


def disposition(api, **change):
    body = {"asset": "SRV-001", "center": "AMS-CC", "route": "recycle", "decided_at": "2022-03-20T10:00:00Z", **change}
    return api.post("/api/v1/dispositions/", body, format="json")


def test_a_disposition_answers_one_row_per_asset_of_the_tree(api, at_center):
    SanitizationFactory(asset=Asset.objects.get(serial_number="SSD-001"), method="purge")
    VendorCertificationFactory(vendor__code="RECYCLER-BV")
    response = disposition(api, vendor="RECYCLER-BV", certificate_id="R-1")
    assert response.status_code == 201, response.json()
    rows = response.json()
    assert [(r["asset"], r["tree_root"], r["route"], r["mass_kg"], r["category"]) for r in rows] == [
        ("SRV-001", "SRV-001", "recycle", 20.5, "server"),
        ("SSD-001", "SRV-001", "recycle", 0.05, "ssd"),
    ]
    assert {(r["center"], r["site"], r["vendor"], r["actor"]) for r in rows} == {
        ("AMS-CC", "AMS05", "RECYCLER-BV", "admin")
    }
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.RECYCLED}
    listed = api.get("/api/v1/dispositions/?route=recycle&tree_root=SRV-001").json()["results"]
    assert sorted(r["asset"] for r in listed) == ["SRV-001", "SSD-001"]
    assert api.get(f"/api/v1/dispositions/{rows[0]['id']}/").json() == rows[0]


def test_the_sanitization_gate_is_409_naming_each_asset_lacking_a_certificate(api, at_center):
    response = disposition(api)
    assert response.status_code == 409
    assert response.json() == {
        "code": "sanitization_missing",
        "detail": response.json()["detail"],
        "route": "recycle",
        "assets": ["SSD-001"],
        "methods": ["destroy", "purge"],
    }
    assert not Disposition.objects.exists()
    assert Asset.objects.get(serial_number="SRV-001").status == Status.AT_CIRCULAR_CENTER


def test_a_disposition_of_an_asset_not_at_the_center_is_409(api, server, center):
    response = disposition(api, route="landfill")
    assert response.status_code == 409
    assert response.json()["code"] == "disposition_refused"
    assert "it is deployed, not at a circular center" in response.json()["detail"]
    assert not Disposition.objects.exists()


def test_reuse_returns_the_tree_to_a_site(api, at_center, other_site):
    SanitizationFactory(asset=Asset.objects.get(serial_number="SSD-001"), method="clear")
    response = disposition(api, route="reuse", to_site="DUB07")
    assert response.status_code == 201, response.json()
    assert {r["to_site"] for r in response.json()} == {"DUB07"}
    assert api.get("/api/v1/assets/SRV-001/").json()["site"] == "DUB07"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"route": "reuse"}, "to_site"),
        ({"to_site": "AMS05"}, "to_site"),
        ({"route": "compost"}, "route"),
        ({"center": "NOPE"}, "center"),
        ({"asset": "NOPE"}, "asset"),
        ({"decided_at": "2999-01-01T00:00:00Z"}, "decided_at"),
    ],
)
def test_bad_dispositions_are_400(api, at_center, change, field):
    response = disposition(api, **change)
    assert response.status_code == 400
    assert field in response.json()
    assert not Disposition.objects.exists()


def test_packaging_records_are_plain_data_with_checks(api, site, server_model):
    body = {
        "received_on": "2022-01-10",
        "site": "AMS05",
        "supplier": "Box Co",
        "part_model": server_model.pk,
        "package_count": 10,
        "packaging_mass_g": "1000",
        "single_use_plastic_g": "47",
    }
    response = api.post("/api/v1/packaging-records/", body, format="json")
    assert response.status_code == 201, response.json()
    record = response.json()
    assert (record["site"], record["packaging_mass_g"], record["single_use_plastic_g"]) == ("AMS05", 1000.0, 47.0)
    too_much = api.patch(f"/api/v1/packaging-records/{record['id']}/", {"single_use_plastic_g": 2000}, format="json")
    assert too_much.status_code == 400
    assert "single_use_plastic_g" in too_much.json()
    for change, field in (({"package_count": 0}, "package_count"), ({"packaging_mass_g": 0}, "packaging_mass_g")):
        assert field in api.post("/api/v1/packaging-records/", {**body, **change}, format="json").json()
    assert api.delete(f"/api/v1/packaging-records/{record['id']}/").status_code == 204
    assert not PackagingRecord.objects.exists()


def test_packaging_records_filter_by_site_and_date(api, site, other_site):
    PackagingRecordFactory(site=site, received_on=dt.date(2022, 1, 10))
    PackagingRecordFactory(site=other_site, received_on=dt.date(2022, 2, 10))
    assert len(api.get("/api/v1/packaging-records/?site=AMS05").json()["results"]) == 1
    assert len(api.get("/api/v1/packaging-records/?received_after=2022-02-01").json()["results"]) == 1
    assert api.get("/api/v1/packaging-records/?received_after=soon").status_code == 400
