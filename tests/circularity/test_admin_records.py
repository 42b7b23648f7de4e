"""Records in the admin: dispositions and sanitizations read-only once recorded, packaging
records and targets editable, monthly snapshots read-only with their refresh buttons."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from circularity import dispositions, snapshots
from circularity.choices import Route
from circularity.models import Disposition, MonthlySnapshot, PackagingRecord, SanitizationRecord, Target
from inventory.choices import Category, Source
from tests.circularity.admin_support import (
    ANALYST,
    OPERATOR,
    TECHNICIAN,
    at_center,
    campus,
    logged_in,
    messages_of,
    server_with_drives,
)
from tests.factories import PackagingRecordFactory, SanitizationFactory, SiteFactory

pytestmark = pytest.mark.django_db

DECIDED = dt.datetime(2022, 3, 15, 12, 0, tzinfo=dt.UTC)


def recorded(center, site, route=Route.RECYCLE, **kwargs):
    server = at_center(center, site, **kwargs)
    return dispositions.record_disposition(
        asset=server, center=center, route=route, decided_at=DECIDED, source=Source.ADMIN
    )[0]


def url(model, view, *args):
    return reverse(f"admin:circularity_{model}_{view}", args=args)


# --- dispositions -------------------------------------------------------------------------------


def test_disposition_list_is_read_only(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    disposition = recorded(center, site)
    response = client.get(url("disposition", "changelist"))
    assert list(response.context["cl"].result_list) == [disposition]
    page = client.get(url("disposition", "change", disposition.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    client.post(url("disposition", "change", disposition.pk), {"route": Route.LANDFILL})
    disposition.refresh_from_db()
    assert disposition.route == Route.RECYCLE
    assert client.post(url("disposition", "delete", disposition.pk), {"post": "yes"}).status_code == 403
    assert response.context["action_form"] is None  # not even "delete selected"


def test_even_a_superuser_cannot_edit_or_delete_a_disposition(client):
    logged_in(client, is_superuser=True)
    site, center = campus()
    disposition = recorded(center, site)
    assert client.post(url("disposition", "delete", disposition.pk), {"post": "yes"}).status_code == 403
    assert Disposition.objects.filter(pk=disposition.pk).exists()


def test_dispositions_are_found_by_the_serial_number_of_the_tree(client):
    logged_in(client, ANALYST)
    site, center = campus()
    server, drives = server_with_drives(center, site)
    for drive in drives:
        SanitizationFactory(asset=drive, performed_at=DECIDED - dt.timedelta(days=1))
    dispositions.record_disposition(
        asset=server, center=center, route=Route.RECYCLE, decided_at=DECIDED, source=Source.ADMIN
    )
    recorded(center, site)
    by_root = client.get(url("disposition", "changelist"), {"q": server.serial_number}).context["cl"].result_list
    assert {d.asset for d in by_root} == {server, *drives}
    by_part = client.get(url("disposition", "changelist"), {"q": drives[0].serial_number}).context["cl"]
    assert [d.asset for d in by_part.result_list] == [drives[0]]


def test_dispositions_filter_by_route_center_site_and_category(client):
    logged_in(client, ANALYST)
    site, center = campus()
    other_site, other_center = campus("DUB08", "CC-DUB")
    kept = recorded(center, site, route=Route.RESALE)
    recorded(other_center, other_site, route=Route.LANDFILL, category=Category.PSU)
    changelist = url("disposition", "changelist")
    for query in (
        {"route__exact": Route.RESALE},
        {"center__id__exact": center.pk},
        {"site__id__exact": site.pk},
        {"category__exact": Category.SERVER},
        {"decided_at__year": 2022, "decided_at__month": 3},
    ):
        result = list(client.get(changelist, query).context["cl"].result_list)
        assert kept in result and (len(result) == 1 or "decided_at__year" in query), query


# --- sanitizations ------------------------------------------------------------------------------


def test_sanitization_records_are_read_only_after_creation(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    record = SanitizationFactory(asset=at_center(center, site, category=Category.SSD))
    page = client.get(url("sanitizationrecord", "change", record.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    client.post(url("sanitizationrecord", "change", record.pk), {"verified": ""})
    record.refresh_from_db()
    assert record.verified
    assert client.post(url("sanitizationrecord", "delete", record.pk), {"post": "yes"}).status_code == 403
    assert SanitizationRecord.objects.filter(pk=record.pk).exists()


def test_sanitizations_are_searched_by_serial_number(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    wanted = SanitizationFactory(asset=at_center(center, site, serial_number="HDD-777"))
    SanitizationFactory(asset=at_center(center, site))
    result = client.get(url("sanitizationrecord", "changelist"), {"q": "HDD-777"}).context["cl"].result_list
    assert list(result) == [wanted]


# --- packaging and targets ----------------------------------------------------------------------


def test_analyst_records_packaging_and_sees_its_plastic_content(client):
    logged_in(client, ANALYST)
    site = SiteFactory()
    payload = {
        "received_on": "2022-01-10",
        "site": site.pk,
        "supplier": "BoxWorks",
        "part_model": "",
        "package_count": 20,
        "packaging_mass_g": "1000",
        "single_use_plastic_g": "33",
    }
    response = client.post(url("packagingrecord", "add"), payload)
    assert response.status_code == 302
    assert PackagingRecord.objects.get().supplier == "BoxWorks"
    listing = client.get(url("packagingrecord", "changelist")).content.decode()
    assert "3.3%" in listing


def test_packaging_with_more_plastic_than_mass_is_refused(client):
    logged_in(client, OPERATOR)
    site = SiteFactory()
    payload = {
        "received_on": "2022-01-10",
        "site": site.pk,
        "supplier": "BoxWorks",
        "package_count": 1,
        "packaging_mass_g": "100",
        "single_use_plastic_g": "150",
    }
    response = client.post(url("packagingrecord", "add"), payload)
    assert response.status_code == 200
    assert "packaging_plastic_within_mass" in str(response.context["adminform"].form.errors)
    assert not PackagingRecord.objects.exists()
    PackagingRecordFactory(site=site)
    record = PackagingRecord.objects.get()
    response = client.post(url("packagingrecord", "change", record.pk), {**payload, "single_use_plastic_g": "40"})
    record.refresh_from_db()
    assert record.single_use_plastic_g == Decimal("40")


def test_analyst_edits_a_target(client):
    logged_in(client, ANALYST)
    target = Target.objects.get(metric="reuse_recycle_rate")
    payload = {
        "metric": target.metric,
        "comparison": target.comparison,
        "target_value": "0.95",
        "target_fiscal_year": 2030,
        "baseline_fiscal_year": 2022,
        "baseline_value": "0.82",
        "description": "Stretch",
    }
    assert client.post(url("target", "change", target.pk), payload).status_code == 302
    target.refresh_from_db()
    assert target.target_value == Decimal("0.95")


def test_a_target_written_as_a_percentage_is_refused(client):
    logged_in(client, ANALYST)
    payload = {
        "metric": "recycle_rate",
        "comparison": "gte",
        "target_value": "90",
        "target_fiscal_year": 2030,
        "baseline_fiscal_year": 2022,
        "baseline_value": "",
    }
    response = client.post(url("target", "add"), payload)
    assert response.context["adminform"].form.errors["target_value"] == [
        "Write it as a fraction between 0 and 1 (0.90 for 90 %), not 90."
    ]


# --- monthly snapshots --------------------------------------------------------------------------


def test_snapshots_are_read_only_and_list_the_stale_months(client):
    logged_in(client, ANALYST)
    site, center = campus()
    recorded(center, site)
    response = client.get(url("monthlysnapshot", "changelist"))
    assert response.context["stale_months"] == [dt.date(2022, 3, 1)]
    assert "1 month marked stale" in response.content.decode()
    snapshots.refresh_stale()
    snapshot = MonthlySnapshot.objects.first()
    assert client.post(url("monthlysnapshot", "delete", snapshot.pk), {"post": "yes"}).status_code == 403


def test_refresh_button_refreshes_stale_months(client):
    logged_in(client, ANALYST)
    site, center = campus()
    recorded(center, site)
    refresh = url("monthlysnapshot", "refresh", "stale")
    assert client.get(refresh).status_code == 405
    response = client.post(refresh, follow=True)
    assert "Refreshed 1 month(s): 2022-03." in messages_of(response)
    total = MonthlySnapshot.objects.get(dimension="total")
    assert (total.route, total.units) == ("recycle", 1)
    assert snapshots.stale_months() == []


def test_rebuild_and_refresh_of_selected_months(client):
    logged_in(client, ANALYST)
    site, center = campus()
    recorded(center, site)
    response = client.post(url("monthlysnapshot", "refresh", "all"), follow=True)
    assert "Refreshed 1 month(s): 2022-03." in messages_of(response)
    rows = list(MonthlySnapshot.objects.all())
    response = client.post(
        url("monthlysnapshot", "changelist"),
        {"action": "refresh_months", "_selected_action": [rows[0].pk], "index": 0},
        follow=True,
    )
    assert "Refreshed 1 month(s): 2022-03." in messages_of(response)
    unknown = client.post(url("monthlysnapshot", "refresh", "everything"), follow=True)
    assert "Unknown refresh 'everything': use stale or all." in messages_of(unknown)


def test_refresh_needs_the_snapshot_view_permission(client):
    logged_in(client, OPERATOR)
    assert client.post(url("monthlysnapshot", "refresh", "stale")).status_code == 403
