"""``__any``: the same rows as ``__in``, whatever is in the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Asset
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trees():
    parents = [AssetFactory() for _ in range(3)]
    children = [AssetFactory(parent=parents[index % 2], site=parents[index % 2].site) for index in range(4)]
    return parents, children


def test_ids_and_keys_select_as_in_does(trees):
    parents, children = trees
    ids = [parents[0].pk, parents[2].pk, 10**12]  # one id no row has
    assert set(Asset.objects.filter(pk__any=ids)) == set(Asset.objects.filter(pk__in=ids))
    assert set(Asset.objects.filter(parent_id__any=[parents[0].pk])) == {children[0], children[2]}
    assert set(Asset.objects.filter(parent__any=[parents[1].pk])) == {children[1], children[3]}
    serials = [parents[1].serial_number, children[3].serial_number]
    assert set(Asset.objects.filter(serial_number__any=serials)) == {parents[1], children[3]}


def test_a_generator_and_an_empty_list(trees):
    parents, _ = trees
    assert set(Asset.objects.filter(pk__any=(parent.pk for parent in parents[:2]))) == set(parents[:2])
    assert list(Asset.objects.filter(pk__any=[])) == []


@pytest.mark.postgres
def test_a_long_list_of_ids_is_one_array_parameter(trees):
    parents, _ = trees
    ids = [parents[0].pk, *range(10**9, 10**9 + 20_000)]
    with CaptureQueriesContext(connection) as queries:
        assert list(Asset.objects.filter(pk__any=ids).values_list("pk", flat=True)) == [parents[0].pk]
    assert "= ANY(" in queries[0]["sql"]
    assert "IN (" not in queries[0]["sql"]
