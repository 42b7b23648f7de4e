"""Every moment a person types in the admin is judged by the one rule (``inventory.moments``).

A date and a time typed in the admin are read in its ``TIME_ZONE``; year 1 typed where that
zone is +14:00 is 1 BC in UTC (PostgreSQL cannot store it), 1989 is before the product's
history, and next year has not happened. Each is a form error on its field: no 500, no write.
"""

import datetime as dt

import pytest
from django.urls import reverse

from circularity.models import Disposition, SanitizationRecord, Shipment, Target
from inventory.choices import Status
from inventory.models import Asset, LifecycleEvent
from tests.circularity.admin_support import (
    ANALYST,
    at_center,
    campus,
    logged_in,
    server_with_drives,
)
from tests.factories import AssetFactory, PartModelFactory

pytestmark = pytest.mark.django_db

TYPED = [
    pytest.param(
        "Pacific/Kiritimati", "0001-01-01", "00:00:00", "is before 1990-01-01T00:00:00Z", id="year 1 at +14:00"
    ),
    pytest.param("UTC", "1989-12-31", "23:59:59", "is before 1990-01-01T00:00:00Z", id="before 1990"),
    pytest.param("UTC", "2999-01-01", "00:00:00", "is in the future", id="future"),
]


def typed(name: str, day: str, time: str) -> dict:
    return {f"{name}_0": day, f"{name}_1": time}


def records() -> tuple:
    return (
        Asset.objects.count(),
        LifecycleEvent.objects.count(),
        Shipment.objects.filter(received_at__isnull=False).count(),
        Shipment.objects.count(),
        Disposition.objects.count(),
        SanitizationRecord.objects.count(),
    )


def error_of(response, field: str) -> str:
    form = response.context["adminform"].form if "adminform" in response.context else response.context["form"]
    return " ".join(form.errors[field])


@pytest.mark.parametrize(("zone", "day", "time", "reason"), TYPED)
def test_every_moment_typed_in_the_admin_is_judged_by_the_one_rule(client, settings, zone, day, time, reason):
    settings.TIME_ZONE = zone
    logged_in(client, is_superuser=True)
    site, center = campus()
    deployed = AssetFactory(status=Status.DEPLOYED, site=site)
    decommissioned = AssetFactory(status=Status.DECOMMISSIONED, site=site)
    server, drives = server_with_drives(center, site)
    shipment = Shipment.objects.create(
        from_site=site, to_center=center, shipped_at=dt.datetime(2022, 3, 1, tzinfo=dt.UTC)
    )
    shipment.assets.set([AssetFactory(status=Status.IN_TRANSIT, site=site)])
    arrived = at_center(center, site)
    before = records()
    forms = [
        (
            reverse("admin:inventory_asset_changelist"),
            {
                "action": "move_through_lifecycle",
                "_selected_action": [deployed.pk],
                "select_across": "0",
                "apply": "Apply",
                "lifecycle-to": "decommissioned",
                **typed("lifecycle-occurred_at", day, time),
            },
            "occurred_at",
        ),
        (
            reverse("admin:circularity_shipment_add"),
            {
                "apply": "yes",
                "from_site": site.pk,
                "to_center": center.pk,
                "serial_numbers": decommissioned.serial_number,
                **typed("shipped_at", day, time),
            },
            "shipped_at",
        ),
        (
            reverse("admin:circularity_shipment_receive", args=[shipment.pk]),
            {"apply": "yes", **typed("received_at", day, time)},
            "received_at",
        ),
        (
            reverse("admin:circularity_disposition_add"),
            {
                "apply": "yes",
                "asset": arrived.serial_number,
                "route": "recycle",
                "center": center.pk,
                "vendor": "",
                **typed("decided_at", day, time),
            },
            "decided_at",
        ),
        (
            reverse("admin:circularity_sanitizationrecord_add"),
            {
                "apply": "yes",
                "asset": drives[0].serial_number,
                "method": "purge",
                "performed_by": "R. Tech",
                "verified": "on",
                "certificate_id": "CERT-1",
                **typed("performed_at", day, time),
            },
            "performed_at",
        ),
        (
            reverse("admin:circularity_assetatcenter_dismantle", args=[server.pk]),
            {"apply": "yes", "note": "", **typed("occurred_at", day, time)},
            "occurred_at",
        ),
        (
            reverse("admin:inventory_asset_add"),
            {
                "serial_number": "NEW-1",
                "part_model": PartModelFactory().pk,
                "site": site.pk,
                "status": "deployed",
                **typed("deployed_at", day, time),
            },
            "deployed_at",
        ),
    ]
    for url, data, field in forms:
        response = client.post(url, data)
        assert response.status_code == 200, (url, response.status_code)
        if field == "occurred_at" and "action" in data:
            assert reason in response.content.decode(), url
        else:
            assert reason in error_of(response, field), url
    assert records() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("baseline_fiscal_year", "0", "FY0 is outside FY2000 … FY2100."),
        ("target_fiscal_year", "2101", "FY2101 is outside FY2000 … FY2100."),
        ("baseline_value", "1.5", "Write it as a fraction between 0 and 1 (0.90 for 90 %), not 1.5."),
    ],
)
def test_a_target_out_of_range_is_a_form_error_and_the_dashboard_stays_up(client, field, value, message):
    logged_in(client, ANALYST)
    payload = {
        "metric": "recycle_rate",
        "comparison": "gte",
        "target_value": "0.5",
        "target_fiscal_year": "2030",
        "baseline_fiscal_year": "2022",
        "baseline_value": "",
        field: value,
    }
    before = Target.objects.count()
    response = client.post(reverse("admin:circularity_target_add"), payload)
    assert response.context["adminform"].form.errors[field] == [message]
    assert Target.objects.count() == before
    assert client.get(reverse("circularity:dashboard")).status_code == 200


@pytest.mark.parametrize("fiscal_year", ["FY0000", "FY0001", "FY9999"])
def test_the_dashboard_names_a_fiscal_year_out_of_range_and_shows_the_current_one(client, fiscal_year):
    logged_in(client, ANALYST)
    response = client.get(reverse("circularity:dashboard"), {"fy": fiscal_year})
    assert response.status_code == 200
    assert any("is outside the years 1990 … 2100" in str(m) for m in response.context["messages"])


def test_admin_actions_refuse_an_event_earlier_than_the_latest_naming_it(client):
    """History never contradicts state from the admin either (issue 10 §3)."""
    logged_in(client, is_superuser=True)
    site, center = campus()
    asset = AssetFactory(serial_number="SRV-LATE", status=Status.DEPLOYED, site=site)
    Asset.objects.filter(pk=asset.pk).update(last_event_at=dt.datetime(2022, 6, 1, 12, tzinfo=dt.UTC))
    response = client.post(
        reverse("admin:inventory_asset_changelist"),
        {
            "action": "move_through_lifecycle",
            "_selected_action": [asset.pk],
            "select_across": "0",
            "apply": "Apply",
            "lifecycle-to": "decommissioned",
            **typed("lifecycle-occurred_at", "2022-03-15", "12:00:00"),
        },
        follow=True,
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "is earlier than its latest event, at 2022-06-01T12:00:00Z" in text
    assert Asset.objects.get(pk=asset.pk).status == Status.DEPLOYED
    assert not LifecycleEvent.objects.exists()
