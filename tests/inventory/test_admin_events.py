"""The lifecycle history in the admin: searchable, filterable, and read-only for everyone."""

import datetime as dt

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse

from inventory import lifecycle
from inventory.choices import Source, Status
from inventory.models import LifecycleEvent
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:inventory_lifecycleevent_changelist")


@pytest.fixture
def history(when):
    first = AssetFactory(serial_number="SRV-1", status=Status.DEPLOYED)
    second = AssetFactory(serial_number="DIMM-1", status=Status.DEPLOYED)
    lifecycle.transition(first, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API, external_id="fms-1")
    lifecycle.transition(second, to=Status.MISSING, occurred_at=when + dt.timedelta(days=40), source=Source.JOB)
    return first, second


def listed(response) -> list[tuple[str, str]]:
    return [(event.asset.serial_number, event.to_status) for event in response.context["cl"].result_list]


def test_events_are_listed_newest_first(admin_client, history):
    assert listed(admin_client.get(CHANGELIST)) == [("DIMM-1", "missing"), ("SRV-1", "decommissioned")]


def test_events_are_found_by_serial_number_or_external_id(admin_client, history):
    assert listed(admin_client.get(CHANGELIST, {"q": "SRV"})) == [("SRV-1", "decommissioned")]
    assert listed(admin_client.get(CHANGELIST, {"q": "fms-1"})) == [("SRV-1", "decommissioned")]


def test_events_filter_by_action_source_new_state_and_date(admin_client, history, when):
    assert listed(admin_client.get(CHANGELIST, {"source__exact": "job"})) == [("DIMM-1", "missing")]
    assert listed(admin_client.get(CHANGELIST, {"to_status__exact": "decommissioned"})) == [("SRV-1", "decommissioned")]
    assert len(listed(admin_client.get(CHANGELIST, {"action__exact": "transition"}))) == 2
    by_month = {"occurred_at__year": when.year, "occurred_at__month": when.month}
    assert listed(admin_client.get(CHANGELIST, by_month)) == [("SRV-1", "decommissioned")]


def test_nobody_adds_changes_or_deletes_an_event_not_even_a_superuser(admin_client, admin_user, history, rf):
    event = LifecycleEvent.objects.get(external_id="fms-1")
    model_admin = admin_site._registry[LifecycleEvent]
    request = rf.get("/")
    request.user = admin_user
    assert admin_user.is_superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)

    assert admin_client.get(reverse("admin:inventory_lifecycleevent_add")).status_code == 403
    assert admin_client.get(reverse("admin:inventory_lifecycleevent_delete", args=[event.pk])).status_code == 403
    change_url = reverse("admin:inventory_lifecycleevent_change", args=[event.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200 and not page.context["has_change_permission"]  # a view-only page
    assert admin_client.post(change_url, {"note": "rewritten", "to_status": "recycled"}).status_code == 403
    event = LifecycleEvent.objects.get(pk=event.pk)
    assert (event.note, event.to_status) == ("", Status.DECOMMISSIONED)
    assert not admin_client.get(CHANGELIST).context["action_form"]  # no bulk delete either
