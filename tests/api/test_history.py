"""History never contradicts state, through the API (SPEC section 2 "Time", issue 10 §3).

Every write that records an event refuses one earlier than the latest event of the trees
it touches with a 409 that names that latest moment; registration takes ``deployed_at``.
"""

import pytest

from circularity.models import Disposition, Shipment
from inventory.choices import Category, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import PartModelFactory, SanitizationFactory

pytestmark = pytest.mark.django_db

REGISTERED = "2022-01-01T12:00:00Z"
LATER = "2022-06-01T12:00:00Z"
EARLIER = "2022-03-01T12:00:00Z"


def post(api, url, body, status):
    response = api.post(url, body, format="json")
    assert response.status_code == status, (url, response.content)
    return response.json()


def register(api, serial, part_model, **extra):
    body = {"serial_number": serial, "part_model": part_model.pk, "site": "AMS05", "status": "deployed", **extra}
    return post(api, "/api/v1/assets/", body, 201)


def out_of_order(body: dict, latest: str) -> dict:
    """The out-of-order refusal in a 409 body (possibly one item of a refused batch)."""
    refusal = body["errors"][0] if body.get("code") == "batch_refused" else body
    assert refusal["code"] == "out_of_order", body
    assert refusal["latest"] == latest, body
    assert latest in refusal["detail"]
    return refusal


def test_registration_with_deployed_at_is_registered_at_that_moment(api, site, server_model):
    register(api, "SRV-1", server_model, deployed_at=REGISTERED)
    events = api.get("/api/v1/events/", {"asset": "SRV-1"}).json()["results"]
    assert [event["occurred_at"] for event in events] == [REGISTERED]


def test_registration_without_a_moment_is_now_and_an_earlier_transition_is_409(api, site, server_model):
    register(api, "SRV-1", server_model)
    registered = api.get("/api/v1/events/", {"asset": "SRV-1"}).json()["results"][0]["occurred_at"]
    body = post(api, "/api/v1/assets/SRV-1/transition/", {"to": "decommissioned", "occurred_at": EARLIER}, 409)
    out_of_order(body, registered)


@pytest.fixture
def history(api, site, center, server_model):
    """A server with a drive, both registered in January and decommissioned in June."""
    register(api, "SRV-1", server_model, deployed_at=REGISTERED)
    ssd = PartModelFactory(category=Category.SSD)
    post(
        api,
        "/api/v1/assets/",
        {"serial_number": "SSD-1", "part_model": ssd.pk, "parent": "SRV-1", "deployed_at": REGISTERED},
        201,
    )
    post(api, "/api/v1/assets/SRV-1/transition/", {"to": "decommissioned", "occurred_at": LATER}, 200)


def test_a_single_transition_earlier_than_the_latest_event_is_409_naming_it(api, history):
    body = post(api, "/api/v1/assets/SRV-1/transition/", {"to": "deployed", "occurred_at": EARLIER}, 409)
    refusal = out_of_order(body, LATER)
    assert (refusal["asset"], refusal["occurred_at"]) == ("SRV-1", EARLIER)
    assert Asset.objects.get(serial_number="SRV-1").status == Status.DECOMMISSIONED


def test_a_bulk_item_earlier_than_the_latest_event_is_409_by_index_and_nothing_applies(api, history, server_model):
    register(api, "SRV-2", server_model, deployed_at=REGISTERED)
    before = LifecycleEvent.objects.count()
    body = post(
        api,
        "/api/v1/events/",
        [
            {"asset": "SRV-2", "to": "decommissioned", "occurred_at": EARLIER},
            {"asset": "SRV-1", "to": "deployed", "occurred_at": EARLIER},
        ],
        409,
    )
    assert [error["index"] for error in body["errors"]] == [1]
    out_of_order(body, LATER)
    assert LifecycleEvent.objects.count() == before


def test_part_moves_earlier_than_the_trees_latest_event_are_409(api, history, server_model):
    register(api, "SRV-2", server_model, deployed_at=REGISTERED)
    post(api, "/api/v1/assets/SRV-2/transition/", {"to": "decommissioned", "occurred_at": REGISTERED}, 200)
    body = post(api, "/api/v1/assets/SSD-1/remove/", {"occurred_at": EARLIER}, 409)
    out_of_order(body, LATER)
    # Installing counts both trees: SRV-2's history ends in January, SRV-1's in June.
    post(api, "/api/v1/assets/SSD-1/remove/", {"occurred_at": LATER}, 200)
    body = post(api, "/api/v1/assets/SSD-1/install/", {"parent": "SRV-2", "occurred_at": EARLIER}, 409)
    out_of_order(body, LATER)


def test_custody_and_dispositions_earlier_than_the_latest_event_are_409(api, history, site, center):
    before = Shipment.objects.count()
    body = post(
        api,
        "/api/v1/shipments/",
        {"from_site": "AMS05", "to_center": "AMS-CC", "assets": ["SRV-1"], "shipped_at": EARLIER},
        409,
    )
    out_of_order(body, LATER)
    assert Shipment.objects.count() == before
    shipment = post(
        api,
        "/api/v1/shipments/",
        {"from_site": "AMS05", "to_center": "AMS-CC", "assets": ["SRV-1"], "shipped_at": "2022-06-02T12:00:00Z"},
        201,
    )
    body = post(api, f"/api/v1/shipments/{shipment['id']}/receive/", {"received_at": "2022-06-02T12:00:00Z"}, 200)
    SanitizationFactory(asset=Asset.objects.get(serial_number="SSD-1"))
    body = post(
        api,
        "/api/v1/dispositions/",
        {"asset": "SRV-1", "center": "AMS-CC", "route": "recycle", "decided_at": LATER},
        409,
    )
    out_of_order(body, "2022-06-02T12:00:00Z")
    assert not Disposition.objects.exists()
    assert api.get("/api/v1/assets/SRV-1/").status_code == 200
