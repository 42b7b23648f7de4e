"""Lifecycle events are append-only: the ORM refuses, and on PostgreSQL so does a trigger."""

import pytest
from django.db import DatabaseError, connection, transaction

from inventory import lifecycle
from inventory.choices import Source, Status
from inventory.models import ImmutableEventError, LifecycleEvent
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(when):
    asset = AssetFactory(status=Status.DEPLOYED)
    (event,) = lifecycle.transition(asset, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API)
    return LifecycleEvent.objects.get(pk=event.pk)


def test_an_event_cannot_be_saved_again(event):
    event.note = "rewritten"
    with pytest.raises(ImmutableEventError):
        event.save()


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(ImmutableEventError):
        event.delete()
    with pytest.raises(ImmutableEventError):
        LifecycleEvent.objects.filter(pk=event.pk).delete()


def test_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(ImmutableEventError):
        LifecycleEvent.objects.filter(pk=event.pk).update(note="rewritten")
    assert LifecycleEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE inventory_lifecycleevent SET note = 'rewritten' WHERE id = %s",
        "DELETE FROM inventory_lifecycleevent WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert LifecycleEvent.objects.get(pk=event.pk).note == ""
