"""Every moment the API takes is read by the one rule (SPEC section 2 "Time"): 400 naming the field.

Issue 10 §1: a year-1 time with an eastern offset, years 0 and 10000, offsets such as
-23:00, naive times and dates alone, before 1990 and after now + 5 minutes, in every
field, the bulk endpoint, every time filter, months, fiscal years and ``as_of``; and the
single transition and the bulk endpoint accept the same formats.
"""

import datetime as dt

import pytest
from django.utils import timezone

from circularity.models import Shipment, Target
from inventory.choices import Category, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, PartModelFactory, TargetFactory

pytestmark = pytest.mark.django_db

NOT_MOMENTS = {
    "year 1 at +14:00 (1 BC in UTC)": "0001-01-01T00:00:00+14:00",
    "year 0": "0000-01-01T00:00:00Z",
    "year 10000": "10000-01-01T00:00:00Z",
    "before 1990": "1989-12-31T23:59:59Z",
    "offset -23:00": "2022-03-15T12:00:00-23:00",
    "naive": "2022-03-15T12:00:00",
    "date alone": "2022-03-15",
    "more than 5 minutes ahead": "2999-01-01T00:00:00Z",
}


def future() -> str:
    return (timezone.now() + dt.timedelta(minutes=10)).isoformat()


def bad_values():
    return [pytest.param(value, id=name) for name, value in NOT_MOMENTS.items()] + [
        pytest.param(None, id="ten minutes ahead")
    ]


@pytest.fixture
def world(site, center, server, drive, server_model):
    """A deployed server with a drive, a decommissioned one, one at the center, a shipment."""
    shipped = AssetFactory(serial_number="SRV-SHIP", part_model=server_model, site=site, status=Status.IN_TRANSIT)
    shipment = Shipment.objects.create(
        from_site=site, to_center=center, shipped_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    )
    shipment.assets.set([shipped])
    AssetFactory(serial_number="SRV-DECOM", part_model=server_model, site=site, status=Status.DECOMMISSIONED)
    AssetFactory(
        serial_number="SRV-CC", part_model=server_model, site=site, status=Status.AT_CIRCULAR_CENTER, center=center
    )
    return {"shipment": shipment}


def requests(world, server_model):
    """(url, body without the moment, the moment's field) for every write that takes a moment."""
    return [
        ("/api/v1/assets/", {"serial_number": "NEW-1", "part_model": server_model.pk, "site": "AMS05"}, "deployed_at"),
        ("/api/v1/assets/SRV-001/transition/", {"to": "decommissioned"}, "occurred_at"),
        ("/api/v1/assets/SSD-001/remove/", {}, "occurred_at"),
        ("/api/v1/assets/SRV-CC/dismantle/", {}, "occurred_at"),
        ("/api/v1/assets/SRV-DECOM/install/", {"parent": "SRV-001"}, "occurred_at"),
        (
            "/api/v1/shipments/",
            {"from_site": "AMS05", "to_center": "AMS-CC", "assets": ["SRV-DECOM"]},
            "shipped_at",
        ),
        (f"/api/v1/shipments/{world['shipment'].pk}/receive/", {}, "received_at"),
        (
            "/api/v1/sanitizations/",
            {"asset": "SSD-001", "method": "purge", "performed_by": "Technician"},
            "performed_at",
        ),
        ("/api/v1/dispositions/", {"asset": "SRV-CC", "center": "AMS-CC", "route": "recycle"}, "decided_at"),
    ]


@pytest.mark.parametrize("value", bad_values())
def test_every_write_refuses_what_is_not_a_moment_with_400_naming_the_field(api, world, server_model, value):
    value = value or future()
    before = (Asset.objects.count(), LifecycleEvent.objects.count(), Shipment.objects.count())
    for url, body, field in requests(world, server_model):
        response = api.post(url, {**body, field: value}, format="json")
        assert response.status_code == 400, (url, response.content)
        assert field in response.json(), (url, response.json())
    assert (Asset.objects.count(), LifecycleEvent.objects.count(), Shipment.objects.count()) == before


@pytest.mark.parametrize("value", bad_values())
def test_the_bulk_endpoint_refuses_what_is_not_a_moment_by_index_and_field(api, server, value):
    value = value or future()
    body = [
        {"asset": "SRV-001", "to": "decommissioned", "occurred_at": "2022-03-15T12:00:00Z"},
        {"asset": "SRV-001", "to": "deployed", "occurred_at": value},
    ]
    response = api.post("/api/v1/events/", body, format="json")
    assert response.status_code == 400, response.content
    assert [(error["index"], list(error["fields"])) for error in response.json()["errors"]] == [(1, ["occurred_at"])]
    assert not LifecycleEvent.objects.exists()


def test_a_year_1_bc_decommissioning_through_the_bulk_endpoint_is_refused_and_reads_stay_200(api, server, drive):
    """The exact poison of issue 10 §2: it was committed, then every read of it answered 500."""
    body = [{"asset": "SRV-001", "to": "decommissioned", "occurred_at": "0001-01-01T00:00:00+14:00"}]
    response = api.post("/api/v1/events/", body, format="json")
    assert response.status_code == 400
    assert "before 1990-01-01T00:00:00Z" in response.json()["errors"][0]["fields"]["occurred_at"][0]
    assert Asset.objects.get(serial_number="SRV-001").decommissioned_at is None
    for url in ("/api/v1/assets/SRV-001/", "/api/v1/assets/", "/api/v1/events/", "/api/v1/assets/SSD-001/"):
        assert api.get(url).status_code == 200, url


# The formats a moment may take: the single transition and the bulk endpoint read them alike.
FORMATS = [
    "2022-03-15T12:00:00Z",
    "2022-03-15T12:00:00+00:00",
    "2022-03-15T13:00:00+01:00",
    "2022-03-15 12:00:00Z",
    "2022-03-15T12:00Z",
    "2022-03-15T12:00:00.123456Z",
    "2022-03-15T12:00:00+0000",
    "2022-03-15T12:00:00z",
]


@pytest.mark.parametrize("value", FORMATS + list(NOT_MOMENTS.values()))
def test_the_single_transition_and_the_bulk_endpoint_accept_the_same_formats(api, site, server_model, value):
    AssetFactory(serial_number="ONE", part_model=server_model, site=site, status=Status.DEPLOYED)
    AssetFactory(serial_number="TWO", part_model=server_model, site=site, status=Status.DEPLOYED)
    single = api.post("/api/v1/assets/ONE/transition/", {"to": "decommissioned", "occurred_at": value}, format="json")
    bulk = api.post("/api/v1/events/", [{"asset": "TWO", "to": "decommissioned", "occurred_at": value}], format="json")
    assert (single.status_code, bulk.status_code) in [(200, 201), (400, 400)], (single.content, bulk.content)
    if single.status_code == 400:
        assert single.json()["occurred_at"] == bulk.json()["errors"][0]["fields"]["occurred_at"]
    else:
        one, two = Asset.objects.get(serial_number="ONE"), Asset.objects.get(serial_number="TWO")
        assert one.decommissioned_at == two.decommissioned_at


def test_a_packaging_delivery_day_lies_between_1990_and_tomorrow(api, site):
    body = {
        "site": "AMS05",
        "supplier": "Co",
        "package_count": 1,
        "packaging_mass_g": "10",
        "single_use_plastic_g": "1",
    }
    for day in ("1989-12-31", "2999-01-01", "0000-01-01", "10000-01-01"):
        response = api.post("/api/v1/packaging-records/", {**body, "received_on": day}, format="json")
        assert response.status_code == 400 and "received_on" in response.json(), (day, response.content)


TIME_FILTERS = [
    ("/api/v1/events/", "occurred_after"),
    ("/api/v1/events/", "occurred_before"),
    ("/api/v1/events/", "recorded_after"),
    ("/api/v1/shipments/", "shipped_before"),
    ("/api/v1/sanitizations/", "performed_after"),
    ("/api/v1/dispositions/", "decided_before"),
]


@pytest.mark.parametrize(("url", "param"), TIME_FILTERS)
@pytest.mark.parametrize(
    "value",
    [
        "2022-03-15T12:00:00-23:00",
        "0001-01-01T00:00:00+14:00",
        "0000-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z",
        "2022-03-15T12:00:00",
        "2022-03-15",
        "1970-01-01T00:00:00Z",
    ],
)
def test_a_time_filter_that_is_not_a_moment_is_400_naming_the_parameter(api, url, param, value):
    response = api.get(url, {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


@pytest.mark.parametrize(("url", "param"), TIME_FILTERS)
def test_a_time_filter_may_name_a_bound_in_the_future(api, url, param):
    assert api.get(url, {param: "2099-01-01T00:00:00+14:00"}).status_code == 200


@pytest.mark.parametrize(
    ("url", "param", "value"),
    [
        ("/api/v1/packaging-records/", "received_after", "0000-01-01"),
        ("/api/v1/packaging-records/", "received_before", "10000-01-01"),
        ("/api/v1/packaging-records/", "received_before", "9999-12-31"),
        ("/api/v1/targets/", "target_fiscal_year", "0"),
        ("/api/v1/targets/", "target_fiscal_year", "10000"),
        ("/api/v1/targets/", "target_fiscal_year", "99999999999999999999"),
        ("/api/v1/targets/", "as_of", "0000-01-01"),
        ("/api/v1/targets/", "as_of", "9999-12-31"),
        ("/api/v1/targets/", "as_of", "10000-01-01"),
        ("/api/v1/metrics/circularity/", "start", "0000-01"),
        ("/api/v1/metrics/circularity/", "end", "9999-12"),
        ("/api/v1/metrics/circularity/", "end", "10000-01"),
        ("/api/v1/metrics/circularity/", "start", "2022-13"),
        ("/api/v1/metrics/packaging/", "start", "0000-01"),
    ],
)
def test_days_months_and_years_outside_1990_to_2100_are_400_naming_the_parameter(api, url, param, value):
    TargetFactory()
    response = api.get(url, {param: value})
    assert response.status_code == 400, response.content
    assert param in response.json(), response.json()


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1066-10"])
def test_a_report_of_a_month_outside_1990_to_2100_is_not_there(api, month):
    assert api.get(f"/api/v1/reports/{month}/").status_code == 404


@pytest.mark.parametrize("value", ["FY0000", "FY0001", "FY9999", "FY10000", "0000"])
def test_fiscal_years_outside_1990_to_2100_are_400_naming_the_parameter(api, value):
    for name in ("start", "end"):
        response = api.get("/api/v1/metrics/circularity/", {"period": "fiscal_year", name: value})
        assert response.status_code == 400, (name, value, response.content)
        assert name in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("baseline_fiscal_year", 0),
        ("baseline_fiscal_year", 1999),
        ("target_fiscal_year", 10000),
        ("target_fiscal_year", 2101),
        ("target_value", "90"),
        ("baseline_value", "-0.1"),
    ],
)
def test_a_target_out_of_range_is_400_and_every_read_stays_200(api, field, value):
    """Issue 10 §2: a target with baseline_fiscal_year 0 was saved, then broke targets, metrics and the report."""
    body = {
        "metric": "reuse_recycle_rate",
        "comparison": "gte",
        "target_value": "0.9",
        "target_fiscal_year": 2030,
        "baseline_fiscal_year": 2022,
        "baseline_value": "0.82",
    }
    before = Target.objects.count()
    response = api.post("/api/v1/targets/", {**body, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Target.objects.count() == before
    for url in ("/api/v1/targets/", "/api/v1/metrics/circularity/", "/api/v1/metrics/packaging/"):
        assert api.get(url).status_code == 200, url


def test_a_component_registered_with_a_moment_answers_400_when_it_is_not_one(api, server):
    ssd = PartModelFactory(category=Category.SSD)
    response = api.post(
        "/api/v1/assets/",
        {"serial_number": "SSD-NEW", "part_model": ssd.pk, "parent": "SRV-001", "deployed_at": "2022-03-15"},
        format="json",
    )
    assert response.status_code == 400
    assert "is a date alone" in response.json()["deployed_at"][0]
