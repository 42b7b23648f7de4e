"""Assets: registering one, reading them, filtering, paging, and an asset's history."""

import pytest

from inventory.choices import Action, Category, Source, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, PartModelFactory, SiteFactory

from .conftest import iso

pytestmark = pytest.mark.django_db


def test_registering_an_asset_answers_it_and_writes_its_first_event(api, site, server_model):
    body = {"serial_number": "SRV-100", "asset_tag": "AT-100", "part_model": server_model.pk, "site": "AMS05"}
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "serial_number": "SRV-100",
        "asset_tag": "AT-100",
        "part_model": server_model.pk,
        "site": "AMS05",
        "parent": None,
        "status": "in_stock",
        "category": "server",
        "mass_kg": 20.5,
        "center": None,
        "deployed_at": None,
        "decommissioned_at": None,
        "components": [],
    }
    event = LifecycleEvent.objects.get(asset__serial_number="SRV-100")
    assert (event.from_status, event.to_status, event.source) == ("in_stock", "in_stock", Source.API)
    assert event.actor.username == "admin"


def test_a_component_takes_its_parents_site_and_state(api, server, ssd_model):
    body = {"serial_number": "SSD-200", "part_model": ssd_model.pk, "parent": "SRV-001"}
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["site"] == "AMS05"
    assert response.json()["status"] == "deployed"
    assert response.json()["parent"] == "SRV-001"
    assert api.get("/api/v1/assets/SRV-001/").json()["components"] == ["SSD-200"]


def test_a_component_in_another_state_or_site_is_refused_field_by_field(api, server, ssd_model, other_site):
    body = {
        "serial_number": "SSD-201",
        "part_model": ssd_model.pk,
        "parent": "SRV-001",
        "status": "in_stock",
        "site": "DUB07",
    }
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"site", "status"}
    assert not Asset.objects.filter(serial_number="SSD-201").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"site": "NOPE1"}, "site", "No site has code 'NOPE1'."),
        ({"part_model": 999999}, "part_model", "No part model has id 999999."),
        ({"parent": "NO-SUCH"}, "parent", "No asset has serial number 'NO-SUCH'."),
        ({"status": "decommissioned"}, "status", None),
        ({"serial_number": "SRV-001"}, "serial_number", None),
        ({"serial_number": ""}, "serial_number", None),
        ({"deployed_at": "2999-01-01T00:00:00Z"}, "deployed_at", None),
        ({"site": None}, "site", None),
    ],
)
def test_bad_input_answers_400_naming_the_field(api, server, server_model, change, field, message):
    body = {"serial_number": "SRV-300", "part_model": server_model.pk, "site": "AMS05", **change}
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert not Asset.objects.filter(serial_number="SRV-300").exists()


def test_an_asset_tag_in_use_is_refused(api, server, server_model):
    Asset.objects.filter(pk=server.pk).update(asset_tag="AT-1")
    body = {"serial_number": "SRV-301", "asset_tag": "AT-1", "part_model": server_model.pk, "site": "AMS05"}
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 400
    assert "asset_tag" in response.json()


def test_a_deployed_registration_keeps_its_deployment_time(api, site, server_model):
    body = {
        "serial_number": "SRV-302",
        "part_model": server_model.pk,
        "site": "AMS05",
        "status": "deployed",
        "deployed_at": "2021-05-01T08:00:00+02:00",
    }
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "deployed"
    assert response.json()["deployed_at"] == "2021-05-01T06:00:00Z"


def test_a_body_that_is_not_an_object_is_400(api):
    assert api.post("/api/v1/assets/", [1, 2], format="json").status_code == 400
    response = api.post("/api/v1/assets/", b"{not json", content_type="application/json")
    assert response.status_code == 400


def test_an_asset_reads_with_its_category_mass_and_components(api, server, drive):
    data = api.get("/api/v1/assets/SRV-001/").json()
    assert data["category"] == "server"
    assert data["mass_kg"] == 20.5
    assert data["components"] == ["SSD-001"]
    assert api.get("/api/v1/assets/SSD-001/").json()["parent"] == "SRV-001"


def test_an_unknown_serial_number_in_the_url_is_404(api):
    response = api.get("/api/v1/assets/NOPE/")
    assert response.status_code == 404
    assert response.json()["code"] == "asset_not_found"


def test_serial_numbers_with_dots_are_addressable(api, site, server_model):
    AssetFactory(serial_number="SN.2024.001", site=site, part_model=server_model)
    assert api.get("/api/v1/assets/SN.2024.001/").status_code == 200


def test_assets_cannot_be_edited_or_deleted_directly(api, server):
    assert api.patch("/api/v1/assets/SRV-001/", {"status": "resold"}).status_code == 405
    assert api.delete("/api/v1/assets/SRV-001/").status_code == 405


@pytest.fixture
def fleet(site, other_site, server_model, ssd_model):
    s1 = AssetFactory(serial_number="AMS-SRV-1", site=site, part_model=server_model, status=Status.DEPLOYED)
    AssetFactory(serial_number="AMS-SSD-1", site=site, part_model=ssd_model, parent=s1, status=Status.DEPLOYED)
    AssetFactory(serial_number="AMS-SRV-2", site=site, part_model=server_model, status=Status.IN_STOCK)
    AssetFactory(serial_number="DUB-SRV-1", site=other_site, part_model=server_model, status=Status.DECOMMISSIONED)
    return s1


def serials(response):
    assert response.status_code == 200, response.json()
    return [row["serial_number"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=deployed", ["AMS-SRV-1", "AMS-SSD-1"]),
        ("status=in_stock&status=decommissioned", ["AMS-SRV-2", "DUB-SRV-1"]),
        ("site=DUB07", ["DUB-SRV-1"]),
        ("category=ssd", ["AMS-SSD-1"]),
        ("parent=AMS-SRV-1", ["AMS-SSD-1"]),
        ("top_level=true&site=AMS05", ["AMS-SRV-1", "AMS-SRV-2"]),
        ("serial_prefix=AMS-SRV", ["AMS-SRV-1", "AMS-SRV-2"]),
        ("ordering=-serial_number&site=AMS05", ["AMS-SSD-1", "AMS-SRV-2", "AMS-SRV-1"]),
    ],
)
def test_assets_filter_and_order(api, fleet, query, expected):
    assert serials(api.get(f"/api/v1/assets/?{query}")) == expected


def test_assets_filter_by_part_model(api, fleet, ssd_model):
    assert serials(api.get(f"/api/v1/assets/?part_model={ssd_model.pk}")) == ["AMS-SSD-1"]


@pytest.mark.parametrize("query", ["status=flying", "category=toaster", "part_model=abc", "top_level=perhaps"])
def test_an_unreadable_filter_is_400_naming_it(api, fleet, query):
    response = api.get(f"/api/v1/assets/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_pages_are_bounded_and_link_to_each_other(api, site, server_model):
    AssetFactory.create_batch(3, site=site, part_model=server_model)
    first = api.get("/api/v1/assets/?page_size=2").json()
    assert len(first["results"]) == 2 and first["previous"] is None and "count" not in first
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    assert len(api.get("/api/v1/assets/?page_size=100000").json()["results"]) == 3  # capped at 1000, not refused
    assert api.get("/api/v1/assets/?count=true&page_size=1").json()["count"] == 3


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page_size=0", "page_size=-5"])
def test_an_unreadable_page_is_400(api, query):
    response = api.get(f"/api/v1/assets/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_a_page_past_the_end_is_empty(api, server):
    assert api.get("/api/v1/assets/?page=9").json()["results"] == []


def test_an_assets_history_lists_its_events_oldest_first(api, server, drive, when):
    api.post("/api/v1/assets/SRV-001/transition/", {"to": "decommissioned", "occurred_at": when.isoformat()})
    later = when.replace(day=20).isoformat()
    api.post("/api/v1/assets/SRV-001/transition/", {"to": "deployed", "occurred_at": later})
    history = api.get("/api/v1/assets/SRV-001/events/").json()["results"]
    assert [(e["from_status"], e["to_status"]) for e in history] == [
        ("deployed", "decommissioned"),
        ("decommissioned", "deployed"),
    ]
    assert {e["asset"] for e in history} == {"SRV-001"}
    recent = api.get(f"/api/v1/assets/SRV-001/events/?occurred_after={iso(when.replace(day=16))}")
    assert [e["to_status"] for e in recent.json()["results"]] == ["deployed"]
    assert api.get("/api/v1/assets/SRV-001/events/?occurred_after=yesterday").status_code == 400


def test_the_events_feed_filters_by_time_range_and_action(api, server, drive, when):
    api.post("/api/v1/assets/SRV-001/transition/", {"to": "decommissioned", "occurred_at": when.isoformat()})
    api.post("/api/v1/assets/SSD-001/remove/", {"occurred_at": when.replace(day=16).isoformat()})
    feed = api.get("/api/v1/events/").json()
    assert [(e["asset"], e["action"]) for e in feed["results"]] == [
        ("SSD-001", Action.REMOVE),
        ("SSD-001", Action.TRANSITION),
        ("SRV-001", Action.TRANSITION),
    ]
    assert "next" in feed and "count" not in feed  # a cursor, not page numbers
    window = api.get(f"/api/v1/events/?occurred_before={iso(when.replace(day=16))}&asset=SSD-001")
    assert [e["action"] for e in window.json()["results"]] == [Action.TRANSITION]
    assert api.get("/api/v1/events/?action=remove").json()["results"][0]["parent"] == "SRV-001"


def test_the_events_cursor_walks_every_event_once(api, site, server_model, when):
    part = PartModelFactory(category=Category.FAN, mass_kg="0.3")
    for i in range(5):
        AssetFactory(serial_number=f"FAN-{i}", site=SiteFactory(code="AMS05"), part_model=part, status="in_stock")
        api.post(f"/api/v1/assets/FAN-{i}/transition/", {"to": "deployed", "occurred_at": when.isoformat()})
    seen, url = [], "/api/v1/events/?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [event["id"] for event in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 5
