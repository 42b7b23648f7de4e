"""The fast row readers answer exactly what the serializers (and so the schema) describe."""

import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from api import selectors
from api.serializers import AssetSerializer, DispositionSerializer, EventSerializer
from circularity.dispositions import record_disposition
from circularity.models import Disposition
from inventory.choices import Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, SanitizationFactory

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(JSONRenderer().render(data))


def generic(serializer_class, instance):
    """What DRF's own field machinery makes of ``instance``."""
    return as_json(serializers.ModelSerializer.to_representation(serializer_class(), instance))


@pytest.fixture
def tree(server, drive, center, when):
    Asset.objects.filter(pk=server.pk).update(asset_tag="AT-9", status=Status.AT_CIRCULAR_CENTER, center=center)
    Asset.objects.filter(pk=drive.pk).update(status=Status.AT_CIRCULAR_CENTER, center=center)
    SanitizationFactory(asset=drive)
    record_disposition(asset="SRV-001", center=center, route="recycle", decided_at=when, source="api")
    return server


@pytest.mark.parametrize("serial", ["SRV-001", "SSD-001"])
def test_an_asset_row_matches_its_serializer(tree, serial):
    asset = Asset.objects.get(serial_number=serial)
    row = as_json(selectors.asset_representation(asset.pk))
    assert list(row) == list(AssetSerializer().fields)
    assert row == generic(AssetSerializer, asset)


def test_an_event_row_matches_its_serializer(tree, admin_user, when):
    LifecycleEvent.objects.create(
        asset=Asset.objects.get(serial_number="SSD-001"),
        action="remove",
        from_status="recycled",
        to_status="recycled",
        parent=tree,
        occurred_at=when,
        actor=admin_user,
        source="api",
        note="n",
        external_id="x-1",
    )
    for event in LifecycleEvent.objects.all():
        [row] = selectors.events_by_id([event.pk])
        assert list(row) == list(EventSerializer().fields)
        assert as_json(row) == generic(EventSerializer, event)


def test_a_disposition_row_matches_its_serializer(tree):
    for disposition in Disposition.objects.all():
        [row] = selectors.shape_dispositions(selectors.disposition_rows(Disposition.objects.filter(pk=disposition.pk)))
        assert list(row) == list(DispositionSerializer().fields)
        assert as_json(row) == generic(DispositionSerializer, disposition)


def test_the_list_and_the_detail_answer_the_same_asset(api, tree):
    listed = {row["serial_number"]: row for row in api.get("/api/v1/assets/").json()["results"]}
    assert listed["SRV-001"] == api.get("/api/v1/assets/SRV-001/").json()


def test_a_reused_asset_keeps_no_center(api, site, server_model):
    AssetFactory(serial_number="PLAIN", site=site, part_model=server_model, status=Status.IN_STOCK)
    row = api.get("/api/v1/assets/PLAIN/").json()
    assert (row["center"], row["parent"], row["components"], row["asset_tag"]) == (None, None, [], None)
