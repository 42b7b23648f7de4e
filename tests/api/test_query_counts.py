"""Every list endpoint runs a fixed number of queries, whatever the page holds.

The count of a request, for a caller with a token and model permissions: one query for
the token, its user and their access scope; two for the user's and groups' permissions;
then the endpoint's own (pinned below).
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circularity.dispositions import record_disposition
from inventory.choices import Category, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import (
    AssetFactory,
    CircularCenterFactory,
    PackagingRecordFactory,
    PartModelFactory,
    SanitizationFactory,
    SiteFactory,
    TargetFactory,
)

from .conftest import iso

pytestmark = pytest.mark.django_db

AUTH = 3  # token + user + scope (one query), user permissions, group permissions

VIEW_PERMISSIONS = [
    f"{app}.view_{model}"
    for app, model in [
        ("inventory", "site"),
        ("inventory", "partmodel"),
        ("inventory", "asset"),
        ("inventory", "lifecycleevent"),
        ("circularity", "circularcenter"),
        ("circularity", "shipment"),
        ("circularity", "sanitizationrecord"),
        ("circularity", "disposition"),
        ("circularity", "packagingrecord"),
        ("circularity", "target"),
    ]
]


@pytest.fixture
def reader(client_with):
    return client_with(*VIEW_PERMISSIONS)


class Fleet:
    """Grows every kind of row by ``n`` at a time (a server with two parts per step)."""

    def __init__(self):
        self.site = SiteFactory(code="AMS05")
        self.center = CircularCenterFactory(code="AMS-CC", sites=[self.site])
        self.server = PartModelFactory(category=Category.SERVER, mass_kg="20")
        self.fan = PartModelFactory(category=Category.FAN, mass_kg="0.2")
        self.made = 0

    def grow(self, n: int):
        from circularity.custody import ship

        for _ in range(n):
            i = self.made = self.made + 1
            site = SiteFactory(code=f"S{i:03d}")
            self.center.sites.add(site)
            CircularCenterFactory(code=f"C{i:02d}", sites=[site, self.site])
            PartModelFactory(category=Category.GPU)
            root = AssetFactory(serial_number=f"R{i}", site=self.site, part_model=self.server, status=Status.DEPLOYED)
            for k in range(2):
                AssetFactory(
                    serial_number=f"R{i}-F{k}", site=self.site, part_model=self.fan, parent=root, status="deployed"
                )
            when = dt.datetime(2022, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=i)
            from inventory import lifecycle

            lifecycle.transition(root, to=Status.DECOMMISSIONED, occurred_at=when, source="api")
            ship(assets=[root], from_site=self.site, to_center=self.center, shipped_at=when, source="api")
            lifecycle.transition(root, to=Status.AT_CIRCULAR_CENTER, occurred_at=when, center=self.center, source="api")
            SanitizationFactory(asset=root)
            record_disposition(asset=root, center=self.center, route="recycle", decided_at=when, source="api")
            PackagingRecordFactory(site=self.site, received_on=when.date())
            TargetFactory(metric="reuse_recycle_rate", target_fiscal_year=2030 + i)


@pytest.fixture
def fleet():
    return Fleet()


# Assets carry their components' serial numbers in the same query on PostgreSQL, in a
# second query on SQLite.
ASSETS = 1 if connection.vendor == "postgresql" else 2

# Endpoint -> its own queries (after AUTH).
LISTS = {
    "/api/v1/sites/": 1,
    "/api/v1/circular-centers/": 2,  # centers, their sites
    "/api/v1/part-models/": 1,
    "/api/v1/assets/": ASSETS,
    "/api/v1/assets/?status=recycled&site=AMS05&category=server": ASSETS,
    "/api/v1/assets/?page=2&page_size=2": ASSETS,  # a deep page: its ids, then its rows, in one query
    "/api/v1/assets/?cursor=": ASSETS,
    "/api/v1/events/": 1,
    "/api/v1/shipments/": 2,  # shipments, their assets
    "/api/v1/sanitizations/": 1,
    "/api/v1/dispositions/": 1,
    "/api/v1/packaging-records/": 1,
}


@pytest.mark.parametrize(("url", "own"), LISTS.items())
def test_a_list_runs_the_same_queries_for_one_row_or_many(reader, fleet, django_assert_num_queries, url, own):
    fleet.grow(1)
    with django_assert_num_queries(AUTH + own):
        small = reader.get(url)
    fleet.grow(4)
    with django_assert_num_queries(AUTH + own):
        large = reader.get(url)
    assert small.status_code == large.status_code == 200
    assert 0 < len(small.json()["results"]) < len(large.json()["results"])


def test_a_count_on_request_adds_exactly_one_query(reader, fleet, django_assert_num_queries):
    fleet.grow(2)
    with django_assert_num_queries(AUTH + ASSETS + 1):
        assert reader.get("/api/v1/assets/?count=true").json()["count"] == 6  # two servers, two parts each


def test_an_assets_history_runs_a_fixed_number_of_queries(reader, fleet, django_assert_num_queries, when):
    fleet.grow(1)
    with django_assert_num_queries(AUTH + 2):  # the asset, its events
        small = reader.get("/api/v1/assets/R1/events/")
    for day in range(1, 4):
        LifecycleEvent.objects.create(
            asset=Asset.objects.get(serial_number="R1"),
            from_status="recycled",
            to_status="recycled",
            occurred_at=when + dt.timedelta(days=day),
            source="api",
        )
    with django_assert_num_queries(AUTH + 2):
        large = reader.get("/api/v1/assets/R1/events/")
    assert len(small.json()["results"]) < len(large.json()["results"])


def test_a_scoped_caller_pays_no_extra_query(client_with, fleet, django_assert_num_queries):
    from inventory.models import AccessScope

    fleet.grow(2)
    scoped = client_with("inventory.view_asset")
    AccessScope.objects.create(user=scoped.user).sites.set([fleet.site])
    with django_assert_num_queries(AUTH + ASSETS):
        assert len(scoped.get("/api/v1/assets/").json()["results"]) == 6


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/targets/",
        "/api/v1/metrics/circularity/?start=2022-01&end=2022-12",
        "/api/v1/metrics/circularity/?period=fiscal_year&start=FY2021&end=FY2023&group_by=site",
        "/api/v1/metrics/packaging/?start=2022-01&end=2022-12&group_by=site",
        "/api/v1/metrics/waste/?start=2022-01&end=2022-12",
        "/api/v1/metrics/waste/?period=fiscal_year&start=FY2021&end=FY2023&group_by=center",
        "/api/v1/metrics/waste/disclosure/?fiscal_year=FY2022&standard=gri306",
        "/api/v1/metrics/waste/disclosure/?fiscal_year=FY2022&standard=esrs_e5&format=csv",
    ],
)
def test_targets_and_metrics_do_not_grow_with_the_rows(reader, fleet, url):
    """Their queries come from ``circularity.metrics``: a handful, the same for few or many."""
    fleet.grow(1)
    few = queries(reader, url)
    fleet.grow(4)
    assert queries(reader, url) == few <= AUTH + 16


def test_a_bulk_batch_runs_the_same_queries_for_few_items_or_many(api, site, server_model):
    """Set-based: the queries of a batch do not grow with its items."""
    for i in range(6):
        AssetFactory(serial_number=f"B{i}", site=site, part_model=server_model, status=Status.DEPLOYED)

    def batch(serials):
        at = iso(dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
        return [
            {"asset": serial, "to": "missing", "occurred_at": at, "external_id": f"k-{serial}"} for serial in serials
        ]

    with CaptureQueriesContext(connection) as few:
        assert api.post("/api/v1/events/", batch(["B0"]), format="json").status_code == 201
    with CaptureQueriesContext(connection) as many:
        assert api.post("/api/v1/events/", batch(["B1", "B2", "B3", "B4", "B5"]), format="json").status_code == 201
    assert len(many) == len(few)
