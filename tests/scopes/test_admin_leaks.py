"""The admin's scope leaks found in issue 10, one test each (every one failed before the fix).

The first is the incident itself: a scoped staff user found another campus's server by
serial number, opened it and moved it, with its components, to ``missing``. The users
here work in their shipped roles (``assetlife.roles``), scoped to the AMS campus.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from circularity import dispositions
from circularity.choices import Route
from circularity.models import AssetAtCenter, CircularCenter, Disposition, SanitizationRecord, Shipment
from inventory import lifecycle
from inventory.choices import Source, Status
from inventory.models import AccessScope, Asset, Site
from tests.factories import AssetFactory, PartModelFactory, UserFactory

from .checks import admin_client
from .world import REPORT_SECRET, fingerprint

pytestmark = pytest.mark.django_db

ASSETS = reverse("admin:inventory_asset_changelist")
ROLES = ("Data-center operator", "Circular-center technician", "Sustainability analyst")


def moment(name: str, when: str = "2024-04-02") -> dict:
    return {f"{name}_0": when, f"{name}_1": "09:30:00"}


@pytest.fixture
def operator(world):
    """An AMS staff user holding the three shipped roles, scoped to the AMS campus."""
    user = UserFactory(username="ams-operator", is_staff=True, password="!")
    user.groups.set(Group.objects.filter(name__in=ROLES))
    scope = AccessScope.objects.create(user=user)
    scope.sites.set([Site.objects.get(code="AMS91")])
    scope.centers.set([CircularCenter.objects.get(code="AMS-CX")])
    return admin_client(user)


@pytest.fixture
def dub_server_with_components(world):
    server = Asset.objects.get(serial_number="SN-DUB-SRV1")
    for n in range(19):
        AssetFactory(serial_number=f"SN-DUB-PART{n:02d}", site=server.site, parent=server, status=Status.DEPLOYED)
    return server


def statuses(prefix: str) -> dict[str, str]:
    return dict(Asset.objects.filter(serial_number__startswith=prefix).values_list("serial_number", "status"))


def test_the_incident_another_campuss_server_cannot_be_found_opened_or_moved(operator, dub_server_with_components):
    server = dub_server_with_components
    before = statuses("SN-DUB")
    found = operator.get(ASSETS, {"q": server.serial_number})
    assert found.context["cl"].result_count == 0
    opened = operator.get(reverse("admin:inventory_asset_change", args=[server.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("admin:index")
    moved = operator.post(
        ASSETS,
        {
            "action": "move_through_lifecycle",
            ACTION_CHECKBOX_NAME: [server.pk],
            "apply": "Apply",
            "lifecycle-to": "missing",
            **{f"lifecycle-{k}": v for k, v in moment("occurred_at").items()},
        },
    )
    assert moved.status_code == 302
    assert statuses("SN-DUB") == before
    assert statuses("SN-DUB-PART")["SN-DUB-PART18"] == Status.DEPLOYED


def test_an_action_posted_with_an_id_outside_the_scope_is_refused_whole(operator, world):
    own, theirs = Asset.objects.get(serial_number="SN-AMS-SRV1"), Asset.objects.get(serial_number="SN-DUB-SRV1")
    data = {
        "action": "move_through_lifecycle",
        ACTION_CHECKBOX_NAME: [own.pk, theirs.pk],
        "apply": "Apply",
        "lifecycle-to": "missing",
        **{f"lifecycle-{k}": v for k, v in moment("occurred_at").items()},
    }
    response = operator.post(ASSETS, data)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Items must be selected in order to perform actions on them. No items have been changed."
    ]
    assert statuses("SN-AMS-SRV1") == {"SN-AMS-SRV1": Status.DEPLOYED}


def test_the_asset_pages_offer_only_the_sites_of_the_scope(operator, world):
    filters = operator.get(ASSETS).content.decode()
    assert "AMS91" in filters and "DUB92" not in filters
    autocomplete = operator.get(
        reverse("admin:autocomplete"), {"app_label": "inventory", "model_name": "asset", "field_name": "site"}
    )
    assert [row["text"] for row in autocomplete.json()["results"]] == ["AMS91"]
    dub = Site.objects.get(code="DUB92")
    response = operator.post(
        reverse("admin:inventory_asset_add"),
        {"serial_number": "SN-NEW-1", "part_model": world.server_model.pk, "site": dub.pk, "status": "in_stock"},
    )
    assert response.context["adminform"].form.errors["site"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Asset.objects.filter(serial_number="SN-NEW-1").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("serial_number", "SN-DUB-SRV1", "Serial number 'SN-DUB-SRV1' is not available."),
        ("asset_tag", "TAG-DUB-2", "Asset tag 'TAG-DUB-2' is not available."),
        ("serial_number", "SN-AMS-SRV2", "An asset with serial number 'SN-AMS-SRV2' exists."),
    ],
)
def test_an_identity_taken_outside_the_scope_is_not_available_in_the_asset_forms(
    operator, world, field, value, message
):
    ams = Site.objects.get(code="AMS91")
    add = {"serial_number": "SN-NEW-1", "asset_tag": "", "part_model": world.server_model.pk, "site": ams.pk}
    response = operator.post(reverse("admin:inventory_asset_add"), {**add, "status": "in_stock", field: value})
    assert response.context["adminform"].form.errors[field] == [message]
    own = Asset.objects.get(serial_number="SN-AMS-SRV1")
    change = {"serial_number": own.serial_number, "asset_tag": "", "part_model": world.server_model.pk, field: value}
    for prefix in ("components", "events"):
        change.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    response = operator.post(reverse("admin:inventory_asset_change", args=[own.pk]), change)
    assert response.context["adminform"].form.errors[field] == [message]


def _import(client, text):
    upload = SimpleUploadedFile("fleet.csv", text.encode(), "text/csv")
    return client.post(reverse("admin:inventory_asset_import"), {"file": upload})


def test_the_csv_import_refuses_rows_outside_the_scope_by_line_and_writes_nothing(operator, world):
    before = fingerprint()
    response = _import(
        operator,
        "serial_number,asset_tag,manufacturer,model_number,site,parent_serial_number\n"
        "SN-NEW-1,,Contoso,R740,AMS91,\n"
        "SN-NEW-2,,Contoso,R740,DUB92,\n"
        "SN-NEW-3,,Contoso,R740,AMS91,SN-DUB-SRV1\n"
        "SN-DUB-SRV2,,Contoso,R740,AMS91,\n"
        "SN-NEW-4,TAG-DUB-2,Contoso,R740,AMS91,\n",
    )
    assert [str(error) for error in response.context["errors"]] == [
        "line 3, site: no site with code 'DUB92'",
        "line 4, parent_serial_number: no asset with serial number 'SN-DUB-SRV1' in the file or the database",
        "line 5, serial_number: serial number 'SN-DUB-SRV2' is not available",
        "line 6, asset_tag: asset tag 'TAG-DUB-2' is not available",
    ]
    assert fingerprint() == before


def test_the_triage_queue_holds_only_the_assets_of_the_scope(operator, world):
    queue = operator.get(reverse("admin:circularity_assetatcenter_changelist"))
    assert {asset.serial_number for asset in queue.context["cl"].result_list} == {"SN-AMS-SRV3", "SN-AMS-SSD3"}
    theirs = Asset.objects.get(serial_number="SN-DUB-SRV3")
    dismantle = reverse("admin:circularity_assetatcenter_dismantle", args=[theirs.pk])
    assert operator.get(dismantle).status_code == 404
    assert operator.post(dismantle, {"apply": "yes", **moment("occurred_at")}).status_code == 404
    assert Asset.objects.filter(parent=theirs).count() == 1


def test_a_disposition_or_sanitization_of_another_campuss_asset_is_an_unknown_serial(operator, world):
    before = fingerprint()
    response = operator.post(
        reverse("admin:circularity_disposition_add"),
        {
            "apply": "yes",
            "asset": "SN-DUB-SRV3",
            "route": "recycle",
            "center": CircularCenter.objects.get(code="AMS-CX").pk,
            **moment("decided_at"),
        },
    )
    assert response.context["form"].errors["asset"] == ["No asset has serial number 'SN-DUB-SRV3'."]
    response = operator.post(
        reverse("admin:circularity_sanitizationrecord_add"),
        {"apply": "yes", "asset": "SN-DUB-SSD1", "method": "clear", "performed_by": "T", **moment("performed_at")},
    )
    assert response.context["form"].errors["asset"] == ["No asset has serial number 'SN-DUB-SSD1'."]
    assert fingerprint() == before
    prefilled = operator.get(reverse("admin:circularity_disposition_add"), {"asset": "SN-DUB-SRV3"})
    assert "DUB-CX" not in prefilled.content.decode()


def test_shipping_and_receiving_stay_in_the_scope(operator, world):
    add = reverse("admin:circularity_shipment_add")
    page = operator.get(add, {"from_site": Site.objects.get(code="DUB92").pk}).content.decode()
    assert "DUB92" not in page and "SN-DUB" not in page
    response = operator.post(
        add,
        {
            "apply": "yes",
            "from_site": Site.objects.get(code="AMS91").pk,
            "to_center": CircularCenter.objects.get(code="DUB-CX").pk,
            "serial_numbers": "SN-AMS-SRV2",
            **moment("shipped_at"),
        },
    )
    assert "to_center" in response.context["form"].errors
    theirs = Shipment.objects.get(tracking_ref="TRK-DUB-5")
    receive = reverse("admin:circularity_shipment_receive", args=[theirs.pk])
    assert operator.post(receive, {"apply": "yes", **moment("received_at")}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.received_at is None


def test_the_compliance_report_is_not_listed_and_its_pages_are_not_found(operator, world):
    assert "/admin/circularity/compliancereport/" not in operator.get(reverse("admin:index")).content.decode()
    report = world.report.pk
    for name in ("changelist", "change", "preview", "csv", "pdf", "chart"):
        args = [] if name == "changelist" else [report]
        response = operator.get(reverse(f"admin:circularity_compliancereport_{name}", args=args))
        assert response.status_code == 404, name
        assert REPORT_SECRET.encode() not in response.content


def test_a_scoped_user_cannot_widen_their_own_scope(world):
    client = admin_client(world.users["AMS"])  # holds every permission, the scopes' included
    scope = AccessScope.objects.get(user=world.users["AMS"])
    dub = Site.objects.get(code="DUB92")
    url = reverse("admin:inventory_accessscope_change", args=[scope.pk])
    assert client.post(url, {"user": scope.user_id, "sites": [dub.pk]}).status_code == 404
    assert list(scope.sites.values_list("code", flat=True)) == ["AMS91"]
    users = client.get(
        reverse("admin:autocomplete"), {"app_label": "inventory", "model_name": "lifecycleevent", "field_name": "actor"}
    )
    assert users.status_code == 403


def test_earlier_dispositions_of_a_returning_asset_are_those_of_the_scope(operator, world):
    """A DUB server resold back to AMS: its DUB disposition is not AMS's to read."""
    dub_center, ams = CircularCenter.objects.get(code="DUB-CX"), Site.objects.get(code="AMS91")
    server = AssetFactory(
        serial_number="SN-RETURNING",
        site=Site.objects.get(code="DUB92"),
        status=Status.AT_CIRCULAR_CENTER,
        center=dub_center,
        part_model=PartModelFactory(manufacturer="Contoso", model_number="R650"),
    )
    decided = dt.datetime(2024, 3, 20, tzinfo=dt.UTC)
    dispositions.record_disposition(
        asset=server, center=dub_center, route=Route.REUSE, to_site=ams, decided_at=decided, source=Source.ADMIN
    )
    lifecycle.transition(server, to=Status.DECOMMISSIONED, occurred_at=decided + dt.timedelta(days=2), source="admin")
    lifecycle.transition(
        server,
        to=Status.AT_CIRCULAR_CENTER,
        center=CircularCenter.objects.get(code="AMS-CX"),
        occurred_at=decided + dt.timedelta(days=3),
        source="admin",
    )
    assert Disposition.objects.filter(asset=server, center=dub_center).exists()
    page = operator.get(reverse("admin:circularity_assetatcenter_change", args=[server.pk]))
    assert page.status_code == 200
    assert "None: first custody cycle." in page.content.decode()
    assert "DUB-CX" not in page.content.decode()


def test_the_dashboard_shows_a_scoped_user_the_organisation_wide_figures(operator, world):
    """A decision (docs/dashboard.md): the figures name no asset; they are the organisation's."""
    response = operator.get(reverse("circularity:dashboard"), {"fy": "FY2024"})
    assert response.context["total"]["units"] == 2  # one recycled server on each campus
    body = response.content.decode()
    assert "SN-DUB" not in body and "RC-DUB" not in body


def test_organisation_wide_data_is_read_only_to_a_scoped_user(world):
    client = admin_client(world.users["AMS"])
    part_model = reverse("admin:inventory_partmodel_change", args=[world.server_model.pk])
    assert client.get(part_model).status_code == 200
    assert client.post(part_model, {"manufacturer": "X", "model_number": "Y"}).status_code == 403
    refresh = reverse("admin:circularity_monthlysnapshot_refresh", args=["all"])
    assert client.post(refresh).status_code == 403
    site = reverse("admin:inventory_site_change", args=[Site.objects.get(code="AMS91").pk])
    assert client.post(site, {"code": "AMS91", "name": "Renamed"}).status_code == 403
    assert not SanitizationRecord.objects.filter(certificate_id="X").exists()
    assert AssetAtCenter.objects.filter(serial_number="SN-AMS-SRV3").exists()
