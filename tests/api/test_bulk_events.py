"""``POST /api/v1/events/``: all or nothing, replays, limits, and concurrent duplicates."""

import datetime as dt
import threading

import pytest
from django.db import connection

from api import bulk
from inventory.choices import Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, UserFactory

from .conftest import iso, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


@pytest.fixture
def servers(site, server_model):
    return [
        AssetFactory(serial_number=f"SRV-{i}", site=site, part_model=server_model, status=Status.DEPLOYED)
        for i in range(3)
    ]


def item(serial, to="decommissioned", when=dt.datetime(2022, 3, 15, 12, tzinfo=dt.UTC), **extra):
    return {"asset": serial, "to": to, "occurred_at": iso(when), **extra}


def statuses():
    return dict(Asset.objects.values_list("serial_number", "status"))


def test_a_batch_applies_every_item_and_answers_each_event(api, servers):
    batch = [item("SRV-0", external_id="k0"), item("SRV-1", external_id="k1", note="rack 4"), item("SRV-2")]
    response = api.post(URL, batch, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["applied"], body["replayed"]) == (3, 0)
    assert [(r["index"], r["result"], r["event"]["asset"]) for r in body["results"]] == [
        (0, "applied", "SRV-0"),
        (1, "applied", "SRV-1"),
        (2, "applied", "SRV-2"),
    ]
    assert body["results"][1]["event"]["note"] == "rack 4"
    assert body["results"][0]["event"]["external_id"] == "k0"
    assert set(statuses().values()) == {"decommissioned"}


def test_one_asset_may_move_several_steps_in_one_batch(api, servers, center):
    batch = [
        item("SRV-0", "decommissioned"),
        item("SRV-0", "at_circular_center", center="AMS-CC", when=dt.datetime(2022, 3, 16, tzinfo=dt.UTC)),
    ]
    assert api.post(URL, batch, format="json").status_code == 201
    assert statuses()["SRV-0"] == "at_circular_center"


def test_a_cascade_is_written_but_each_item_answers_its_own_event(api, server, drive):
    response = api.post(URL, [item("SRV-001")], format="json")
    assert response.status_code == 201
    assert [r["event"]["asset"] for r in response.json()["results"]] == ["SRV-001"]
    assert statuses() == {"SRV-001": "decommissioned", "SSD-001": "decommissioned"}


def test_one_refused_item_refuses_the_batch_naming_its_index(api, servers):
    batch = [item("SRV-0"), item("SRV-1", "recycled"), item("SRV-2")]
    response = api.post(URL, batch, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "batch_refused"
    assert [(e["index"], e["code"], e["asset"], e["requested"]) for e in body["errors"]] == [
        (1, "transition_refused", "SRV-1", "recycled")
    ]
    assert set(statuses().values()) == {"deployed"}
    assert not LifecycleEvent.objects.exists()


def test_refused_indexes_count_replayed_items_too(api, servers):
    api.post(URL, [item("SRV-0", external_id="k0")], format="json")
    response = api.post(URL, [item("SRV-0", external_id="k0"), item("SRV-1", "resold")], format="json")
    assert response.status_code == 409
    assert [e["index"] for e in response.json()["errors"]] == [1]


def test_bad_items_are_400_naming_each_index_and_field(api, servers):
    batch = [
        item("SRV-0"),
        {"asset": "SRV-1", "to": "flying", "occurred_at": "2022-03-15T12:00:00Z"},
        {"to": "decommissioned", "occurred_at": "yesterday"},
        item("SRV-2", center="NOPE"),
        item("NO-SUCH"),
        "not an object",
        item("SRV-2", external_id=7),
        item("SRV-2", colour="blue"),
        item("SRV-2", when=dt.datetime(2999, 1, 1, tzinfo=dt.UTC)),
    ]
    response = api.post(URL, batch, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {(e["index"], field) for e in body["errors"] for field in e["fields"]} == {
        (1, "to"),
        (2, "asset"),
        (2, "occurred_at"),
        (5, "non_field_errors"),
        (6, "external_id"),
        (7, "colour"),
        (8, "occurred_at"),
    }
    assert not LifecycleEvent.objects.exists()


def test_unknown_assets_and_centers_are_400_naming_each_index(api, servers):
    batch = [item("SRV-0"), item("SRV-2", center="NOPE"), item("NO-SUCH")]
    response = api.post(URL, batch, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "fields": {"center": ["No circular center has code 'NOPE'."]}},
        {"index": 2, "fields": {"asset": ["No asset has serial number 'NO-SUCH'."]}},
    ]
    assert not LifecycleEvent.objects.exists()


@pytest.mark.parametrize("body", [{}, {"asset": "SRV-0"}, "text", []])
def test_a_body_that_is_not_a_list_of_events_is_400(api, servers, body):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_posting_the_same_batch_twice_changes_nothing_and_answers_the_same(api, servers, center):
    batch = [
        item("SRV-0", external_id="fleet-1"),
        item("SRV-1", external_id="fleet-2"),
        item("SRV-1", "at_circular_center", center="AMS-CC", external_id="fleet-3"),
    ]
    first = api.post(URL, batch, format="json")
    assert first.status_code == 201
    before = (statuses(), LifecycleEvent.objects.count())
    second = api.post(URL, batch, format="json")
    assert second.status_code == 200
    assert (statuses(), LifecycleEvent.objects.count()) == before
    assert second.json()["replayed"] == 3 and second.json()["applied"] == 0
    assert [r["event"] for r in second.json()["results"]] == [r["event"] for r in first.json()["results"]]
    assert {r["result"] for r in second.json()["results"]} == {"replayed"}


def test_a_retried_batch_with_new_items_applies_only_the_new_ones(api, servers):
    api.post(URL, [item("SRV-0", external_id="a")], format="json")
    response = api.post(URL, [item("SRV-0", external_id="a"), item("SRV-1", external_id="b")], format="json")
    assert response.status_code == 201
    assert [r["result"] for r in response.json()["results"]] == ["replayed", "applied"]
    assert LifecycleEvent.objects.count() == 2


def test_a_key_reused_for_another_change_is_409(api, servers):
    api.post(URL, [item("SRV-0", external_id="a")], format="json")
    response = api.post(URL, [item("SRV-1", external_id="a")], format="json")
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert (error["index"], error["code"], error["external_id"]) == (0, "external_id_conflict", "a")
    assert statuses()["SRV-1"] == "deployed"


def test_a_key_repeated_within_a_batch_is_400(api, servers):
    response = api.post(URL, [item("SRV-0", external_id="a"), item("SRV-1", external_id="a")], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "fields": {"external_id": ["Repeats the external_id of item 0."]}}
    ]


def test_a_batch_over_the_limit_is_refused_before_anything_is_read(api, servers, django_assert_max_num_queries):
    batch = [item("SRV-0")] * (bulk.MAX_ITEMS + 1)
    with django_assert_max_num_queries(3):  # authentication and scope only
        response = api.post(URL, batch, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "A batch holds at most 10000 events; this one has 10001. Split it."
    assert not LifecycleEvent.objects.exists()


@pytest.mark.slow
def test_a_batch_at_the_limit_is_applied(api, servers):
    start = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    batch = [
        item("SRV-0", "decommissioned" if i % 2 == 0 else "deployed", when=start + dt.timedelta(minutes=i))
        for i in range(bulk.MAX_ITEMS)
    ]
    response = api.post(URL, batch, format="json")
    assert response.status_code == 201
    assert response.json()["applied"] == bulk.MAX_ITEMS
    assert LifecycleEvent.objects.count() == bulk.MAX_ITEMS
    assert statuses()["SRV-0"] == "deployed"


def test_a_concurrent_duplicate_key_is_replayed_not_500(api, servers, monkeypatch):
    """The race: another batch applied key "a" between our replay check and our write."""
    api.post(URL, [item("SRV-0", external_id="a")], format="json")
    real = bulk._applied_events
    calls = []

    def first_call_misses(keys, scope):
        calls.append(keys)
        return {} if len(calls) == 1 else real(keys, scope)

    monkeypatch.setattr(bulk, "_applied_events", first_call_misses)
    response = api.post(URL, [item("SRV-0", external_id="a")], format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["result"] == "replayed"
    assert LifecycleEvent.objects.count() == 1


def test_a_concurrent_key_clash_on_the_unique_index_is_409_not_500(api, servers, monkeypatch):
    """The other batch used key "a" for SRV-0; ours, unaware, uses it for SRV-1."""
    api.post(URL, [item("SRV-0", external_id="a")], format="json")
    real = bulk._applied_events
    calls = []

    def first_call_misses(keys, scope):
        calls.append(keys)
        return {} if len(calls) == 1 else real(keys, scope)

    monkeypatch.setattr(bulk, "_applied_events", first_call_misses)
    response = api.post(URL, [item("SRV-1", external_id="a")], format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "external_id_conflict"
    assert statuses()["SRV-1"] == "deployed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_posting_the_same_batch_at_once_apply_it_once(site, server_model):
    for i in range(20):
        AssetFactory(serial_number=f"P-{i}", site=site, part_model=server_model, status=Status.DEPLOYED)
    batch = [item(f"P-{i}", external_id=f"race-{i}") for i in range(20)]
    user = UserFactory(is_superuser=True)
    answers, barrier = [], threading.Barrier(2)

    def post():
        try:
            client = token_client(user)
            barrier.wait()
            response = client.post(URL, batch, format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in answers) == [200, 201]
    assert LifecycleEvent.objects.count() == 20
    first, second = (body for _, body in answers)
    assert [r["event"] for r in first["results"]] == [r["event"] for r in second["results"]]
