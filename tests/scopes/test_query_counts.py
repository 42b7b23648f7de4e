"""A scope costs no query: a scoped user's admin list runs as many queries as an
unscoped user's, whatever its rows (the scope is a subquery, loaded with the user)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circularity.models import CircularCenter, Shipment
from inventory.choices import Status
from inventory.models import Site
from tests.factories import AssetFactory, PackagingRecordFactory, SanitizationFactory

from .checks import admin_client

pytestmark = pytest.mark.django_db

LISTS = [
    "inventory_asset",
    "inventory_lifecycleevent",
    "inventory_site",
    "circularity_circularcenter",
    "circularity_shipment",
    "circularity_assetatcenter",
    "circularity_disposition",
    "circularity_sanitizationrecord",
    "circularity_packagingrecord",
]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(n: int) -> None:
    """More rows of every kind on the AMS campus."""
    site, center = Site.objects.get(code="AMS91"), CircularCenter.objects.get(code="AMS-CX")
    for _ in range(n):
        held = AssetFactory(site=site, status=Status.AT_CIRCULAR_CENTER, center=center)
        SanitizationFactory(asset=held)
        PackagingRecordFactory(site=site)
        shipment = Shipment.objects.create(from_site=site, to_center=center, shipped_at=held.deployed_at)
        shipment.assets.set([AssetFactory(site=site, status=Status.IN_TRANSIT)])


@pytest.mark.parametrize("model", LISTS)
def test_a_scoped_list_runs_the_queries_of_an_unscoped_one_whatever_its_rows(world, model):
    url = reverse(f"admin:{model}_changelist")
    scoped, unscoped = admin_client(world.users["AMS"]), admin_client(world.users["unscoped"])
    few = (queries(scoped, url), queries(unscoped, url))
    grow(6)
    many = (queries(scoped, url), queries(unscoped, url))
    assert few == many
    assert few[0] == few[1]
