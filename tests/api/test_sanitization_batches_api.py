"""``/api/v1/sanitization-batches/``: a batch drawn, its results posted, the gate's 409; resale proceeds."""

import datetime as dt

import pytest

from circularity import sanitization
from circularity.models import Disposition, SanitizationBatch
from inventory.choices import Status
from tests.factories import AssetFactory

from .conftest import iso
from .test_query_counts import AUTH

pytestmark = pytest.mark.django_db
PURGED = dt.datetime(2024, 5, 6, 9, tzinfo=dt.UTC)
CHECKED = dt.datetime(2024, 5, 6, 15, tzinfo=dt.UTC)
DECIDED = dt.datetime(2024, 5, 7, 10, tzinfo=dt.UTC)


@pytest.fixture
def drives(center, ssd_model):
    return [
        AssetFactory(
            serial_number=f"HDD-{i:03d}",
            part_model=ssd_model,
            site=center.sites.first(),
            center=center,
            status=Status.AT_CIRCULAR_CENTER,
        )
        for i in range(25)
    ]


def create(api, drives, code="SB-API-1"):
    return api.post(
        "/api/v1/sanitization-batches/",
        {
            "code": code,
            "center": "AMS-CC",
            "method": "purge",
            "performed_at": iso(PURGED),
            "performed_by": "Technician A",
            "tool": "nwipe",
            "tool_version": "0.36",
            "verification_method": "full read-back",
            "drives": [drive.serial_number for drive in drives],
        },
        format="json",
    )


def results(api, code, outcomes):
    return api.post(
        f"/api/v1/sanitization-batches/{code}/results/",
        {
            "verified_at": iso(CHECKED),
            "verified_by": "Verifier B",
            "results": [{"asset": serial, "passed": passed} for serial, passed in outcomes],
        },
        format="json",
    )


def test_posting_a_batch_draws_its_sample_and_answers_it(api, drives):
    response = create(api, drives)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["state"], body["drive_count"], body["sample_size"]) == ("SB-API-1", "pending", 25, 2)
    drawn = [row["asset"] for row in body["sample"] if row["sampled"]]
    assert drawn == sanitization.draw_sample([d.serial_number for d in drives], body["seed"])
    assert api.get("/api/v1/sanitization-batches/SB-API-1/").json() == body


def test_a_failed_sample_answers_409_naming_the_batch_and_the_drive_on_any_drive_of_it(api, drives):
    body = create(api, drives).json()
    failed, passed = [row["asset"] for row in body["sample"] if row["sampled"]]
    after = results(api, "SB-API-1", [(failed, False), (passed, True)])
    assert after.status_code == 200
    assert after.json()["state"] == "failed"
    other = next(d.serial_number for d in drives if d.serial_number not in (failed, passed))
    refused = api.post(
        "/api/v1/dispositions/",
        {"asset": other, "center": "AMS-CC", "route": "recycle", "decided_at": iso(DECIDED)},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "sanitization_batch_failed"
    assert refused.json()["batches"] == [{"batch": "SB-API-1", "failed": [failed]}]
    again = results(api, "SB-API-1", [(failed, True)])
    assert again.status_code == 409 and again.json()["code"] == "sanitization_batch_refused"


def test_a_verified_batch_lets_its_drives_leave(api, drives):
    body = create(api, drives).json()
    drawn = [row["asset"] for row in body["sample"] if row["sampled"]]
    assert results(api, "SB-API-1", [(serial, True) for serial in drawn]).json()["state"] == "verified"
    record = api.get(f"/api/v1/sanitizations/?asset={drives[0].serial_number}").json()["results"][0]
    assert (record["batch"], record["certificate_id"], record["verified_by"]) == ("SB-API-1", "SB-API-1", "Verifier B")
    decided = api.post(
        "/api/v1/dispositions/",
        {"asset": drives[0].serial_number, "center": "AMS-CC", "route": "recycle", "decided_at": iso(DECIDED)},
        format="json",
    )
    assert decided.status_code == 201


def test_the_batch_list_runs_a_fixed_number_of_queries(client_with, drives, django_assert_num_queries, api):
    reader = client_with("circularity.view_sanitizationbatch")
    create(api, drives[:3], code="SB-Q-1")
    with django_assert_num_queries(AUTH + 3):  # batches, their drives, their results
        small = reader.get("/api/v1/sanitization-batches/")
    for index in range(2, 6):
        body = create(api, drives[index * 3 : index * 3 + 3], code=f"SB-Q-{index}").json()
        results(api, f"SB-Q-{index}", [(row["asset"], True) for row in body["sample"] if row["sampled"]])
    with django_assert_num_queries(AUTH + 3):
        large = reader.get("/api/v1/sanitization-batches/")
    assert len(small.json()["results"]) == 1 and len(large.json()["results"]) == 5


def test_resale_proceeds_are_kept_with_their_currency_and_refused_elsewhere(api, center, server_model, site):
    servers = [
        AssetFactory(
            serial_number=f"SRV-R{i}", part_model=server_model, site=site, center=center, status="at_circular_center"
        )
        for i in range(3)
    ]

    def decide(serial, route, **extra):
        body = {"asset": serial, "center": "AMS-CC", "route": route, "decided_at": iso(DECIDED), **extra}
        return api.post("/api/v1/dispositions/", body, format="json")

    sold = decide("SRV-R0", "resale", proceeds="125.50", currency="EUR")
    assert sold.status_code == 201
    assert (sold.json()[0]["proceeds"], sold.json()[0]["currency"]) == (125.5, "EUR")
    assert decide("SRV-R1", "recycle", proceeds="10", currency="EUR").json() == {
        "proceeds": ["Proceeds are for resale only, not recycle."]
    }
    assert decide("SRV-R1", "resale", proceeds="10", currency="EURO").status_code == 400
    assert "ISO 4217" in decide("SRV-R1", "resale", proceeds="10", currency="XYZ").json()["currency"][0]
    assert decide("SRV-R1", "resale", proceeds="10").json() == {
        "currency": ["Proceeds need their ISO 4217 currency (e.g. EUR)."]
    }
    assert Disposition.objects.filter(asset__serial_number="SRV-R1").count() == 0
    assert len(servers) == 3 and SanitizationBatch.objects.count() == 0


def test_batches_are_filtered_by_the_drive_they_hold(api, drives):
    create(api, drives[:3], code="SB-F-1")
    create(api, drives[3:6], code="SB-F-2")
    found = api.get(f"/api/v1/sanitization-batches/?drive={drives[4].serial_number}&center=AMS-CC").json()
    assert [batch["code"] for batch in found["results"]] == ["SB-F-2"]
    assert found["results"][0]["drive_count"] == 3
