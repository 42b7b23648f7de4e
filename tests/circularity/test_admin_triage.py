"""The technicians' triage in the admin: dispositions (the sanitization gate shown plainly),
sanitizations and dismantling, from an asset's page and as bulk actions."""

import datetime as dt

import pytest
from django.urls import reverse

from circularity.choices import Route
from circularity.models import Disposition, SanitizationRecord
from inventory.choices import Category, Status
from inventory.models import Asset
from tests.circularity.admin_support import (
    ANALYST,
    TECHNICIAN,
    apply_action,
    at_center,
    campus,
    choose_action,
    logged_in,
    messages_of,
    moment,
    server_with_drives,
)
from tests.factories import AssetFactory, SanitizationFactory, SiteFactory, VendorCertificationFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:circularity_assetatcenter_changelist")
DISPOSITION_ADD = reverse("admin:circularity_disposition_add")
SANITIZATION_ADD = reverse("admin:circularity_sanitizationrecord_add")
DECIDED = dt.datetime(2022, 3, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def vendors(db):
    """The certified vendors the forms below name by code."""
    for code in ("GREENCYCLE", "ITAD"):
        VendorCertificationFactory(vendor__code=code)


def page_of(asset):
    return reverse("admin:circularity_assetatcenter_change", args=[asset.pk])


def disposition_payload(asset, center, route=Route.RECYCLE, **extra):
    return {
        "apply": "yes",
        "asset": asset.serial_number,
        "route": route,
        "center": center.pk,
        **moment("decided_at", DECIDED),
        "to_site": "",
        "vendor": "GREENCYCLE",
        "certificate_id": "",
        **extra,
    }


def sanitize(*assets, method="purge"):
    for asset in assets:
        SanitizationFactory(asset=asset, method=method, performed_at=DECIDED - dt.timedelta(days=1))


# --- the queue ---------------------------------------------------------------------------------


def test_queue_lists_only_assets_held_at_centers(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    held = at_center(center, site)
    AssetFactory(status=Status.DEPLOYED, site=site)
    AssetFactory(status=Status.RECYCLED, site=site, center=center)
    assert list(client.get(QUEUE).context["cl"].result_list) == [held]


def test_queue_is_searched_by_serial_number_and_filtered_by_center(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    other_site, other_center = campus("DUB08", "CC-DUB")
    wanted = at_center(center, site, serial_number="SRV-0042")
    at_center(center, site, serial_number="SRV-0099")
    there = at_center(other_center, other_site)
    assert list(client.get(QUEUE, {"q": "SRV-0042"}).context["cl"].result_list) == [wanted]
    by_center = client.get(QUEUE, {"center__id__exact": other_center.pk}).context["cl"].result_list
    assert list(by_center) == [there]


def test_queue_shows_installed_parts_and_the_last_verified_sanitization(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, (drive, _) = server_with_drives(center, site)
    sanitize(drive)
    rows = {row.pk: row for row in client.get(QUEUE).context["cl"].result_list}
    assert rows[server.pk].part_count == 2
    assert rows[drive.pk].sanitized_by == "purge"
    top_level = client.get(QUEUE, {"installed": "no"}).context["cl"].result_list
    assert list(top_level) == [server]


def test_asset_page_offers_the_technicians_buttons(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, (drive, _) = server_with_drives(center, site)
    page = client.get(page_of(server)).content.decode()
    assert f"{DISPOSITION_ADD}?asset={server.serial_number}" in page
    # The server holds no data: its page offers its drives, not its own serial number.
    assert f"{SANITIZATION_ADD}?asset={server.serial_number}" not in page
    assert f"{QUEUE}?q={server.serial_number}&amp;part_model__data_bearing__exact=1" in page
    assert "Record sanitization of its 2 data-bearing parts" in page
    assert reverse("admin:circularity_assetatcenter_dismantle", args=[server.pk]) in page
    assert drive.serial_number in page  # its installed parts
    part_page = client.get(page_of(drive)).content.decode()
    # A part goes with its parent, or is dismantled first; it can still be sanitized.
    assert f"{DISPOSITION_ADD}?asset=" not in part_page
    assert f"{SANITIZATION_ADD}?asset={drive.serial_number}" in part_page


def test_a_servers_page_offers_the_sanitization_of_its_one_drive_and_the_queue_its_several(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, (drive,) = server_with_drives(center, site, drives=1)
    page = client.get(page_of(server)).content.decode()
    assert f"{SANITIZATION_ADD}?asset={drive.serial_number}" in page
    assert f"Record sanitization of {drive.serial_number}" in page
    bare = at_center(center, site)
    assert "Record sanitization" not in client.get(page_of(bare)).content.decode()
    several, drives = server_with_drives(center, site, drives=3)
    queue = client.get(QUEUE, {"q": several.serial_number, "part_model__data_bearing__exact": 1})
    assert {row.pk for row in queue.context["cl"].result_list} == {d.pk for d in drives}


def test_a_sanitization_of_a_server_is_refused_on_the_form(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, _ = server_with_drives(center, site)
    response = client.post(SANITIZATION_ADD, sanitization_payload(server))
    assert "is not data-bearing; record the sanitization of its drives" in messages_of(response)[0]
    assert not SanitizationRecord.objects.exists()


def test_analyst_sees_the_queue_without_buttons_or_actions(client):
    logged_in(client, ANALYST)
    site, center = campus()
    server = at_center(center, site)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no action the analyst may take
    page = client.get(page_of(server)).content.decode()
    assert f"{DISPOSITION_ADD}?asset=" not in page and "Dismantle" not in page
    assert client.get(DISPOSITION_ADD).status_code == 403


def test_the_queue_cannot_edit_or_delete_an_asset(client):
    logged_in(client, is_superuser=True)
    site, center = campus()
    server = at_center(center, site)
    client.post(page_of(server), {"serial_number": "CHANGED"})
    server.refresh_from_db()
    assert server.serial_number != "CHANGED"
    assert client.post(reverse("admin:circularity_assetatcenter_delete", args=[server.pk])).status_code == 403


# --- a disposition from the asset's page --------------------------------------------------------


def test_disposition_form_defaults_to_the_assets_center(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server = at_center(center, site)
    form = client.get(DISPOSITION_ADD, {"asset": server.serial_number}).context["form"]
    assert form.initial["asset"] == server.serial_number
    assert form.initial["center"] == center


def test_technician_records_a_disposition_of_a_whole_tree(client):
    user = logged_in(client, TECHNICIAN)
    site, center = campus()
    server, drives = server_with_drives(center, site)
    sanitize(*drives)
    response = client.post(DISPOSITION_ADD, disposition_payload(server, center), follow=True)
    assert f"Recorded recycle for {server.serial_number} and 2 installed part(s) at CC-AMS." in messages_of(response)
    assert response.redirect_chain[-1][0].endswith(f"?q={server.serial_number}")
    rows = Disposition.objects.filter(tree_root=server)
    assert rows.count() == 3
    assert set(rows.values_list("route", "vendor__code", "actor")) == {(Route.RECYCLE, "GREENCYCLE", user.pk)}
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.RECYCLED}


def test_sanitization_gate_refusal_names_every_drive_and_writes_nothing(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, (first, second) = server_with_drives(center, site)
    sanitize(first, method="clear")  # enough for reuse, not for recycling
    response = client.post(DISPOSITION_ADD, disposition_payload(server, center))
    assert response.status_code == 200
    [refusal, nothing] = messages_of(response)
    assert refusal == (
        "Route recycle needs a verified destroy or purge sanitization of every data-bearing asset; "
        f"missing for: {', '.join(sorted([first.serial_number, second.serial_number]))}."
    )
    assert nothing.startswith("Nothing was recorded")
    assert response.context["form"].data["vendor"] == "GREENCYCLE"  # kept as typed
    assert not Disposition.objects.exists()
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.AT_CIRCULAR_CENTER}


def test_reuse_without_a_destination_site_is_refused(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server = at_center(center, site)
    response = client.post(DISPOSITION_ADD, disposition_payload(server, center, Route.REUSE, vendor=""))
    assert "reuse needs the site the asset returns to" in messages_of(response)[0]
    assert not Disposition.objects.exists()


def test_reuse_sends_the_asset_back_to_a_site(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server = at_center(center, site)
    destination = SiteFactory(code="DUB08")
    client.post(DISPOSITION_ADD, disposition_payload(server, center, Route.REUSE, to_site=destination.pk, vendor=""))
    server.refresh_from_db()
    assert (server.status, server.site) == (Status.IN_STOCK, destination)


def test_unknown_serial_number_is_named(client):
    logged_in(client, TECHNICIAN)
    _, center = campus()
    response = client.post(DISPOSITION_ADD, disposition_payload(Asset(serial_number="GHOST-1"), center))
    assert response.context["form"].errors["asset"] == ["No asset has serial number 'GHOST-1'."]


# --- dispositions in bulk -----------------------------------------------------------------------


def test_bulk_disposition_form_defaults_to_the_selections_center(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    assets = [at_center(center, site), at_center(center, site)]
    response = choose_action(client, QUEUE, "record_disposition", assets)
    assert response.status_code == 200
    assert response.context["form"].initial == {"center": center}
    assert all(a.serial_number in response.content.decode() for a in assets)


def test_bulk_disposition_records_every_selected_asset(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    assets = [at_center(center, site, category=Category.PSU) for _ in range(3)]
    payload = {"route": Route.RESALE, "center": center.pk, **moment("decided_at", DECIDED), "vendor": "ITAD"}
    response = apply_action(client, QUEUE, "record_disposition", assets, **payload)
    assert "Recorded resale for 3 asset(s) (3 disposition(s), installed parts included)." in messages_of(response)
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.RESOLD}


def test_bulk_disposition_is_all_or_nothing_and_names_each_refusal(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    plain = at_center(center, site, category=Category.PSU)
    drive = at_center(center, site, category=Category.HDD)
    server, parts = server_with_drives(center, site, drives=1)
    payload = {"route": Route.RECYCLE, "center": center.pk, **moment("decided_at", DECIDED)}
    response = apply_action(client, QUEUE, "record_disposition", [plain, drive, server], follow=False, **payload)
    assert response.status_code == 200
    found = messages_of(response)
    assert any(drive.serial_number in m and "missing for" in m for m in found)
    assert any(parts[0].serial_number in m and "missing for" in m for m in found)
    assert not Disposition.objects.exists()
    plain.refresh_from_db()
    assert plain.status == Status.AT_CIRCULAR_CENTER


def test_bulk_disposition_refuses_an_installed_part_naming_its_parent(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server = at_center(center, site)
    part = at_center(center, site, category=Category.PSU, parent=server)
    payload = {"route": Route.RECYCLE, "center": center.pk, **moment("decided_at", DECIDED)}
    response = apply_action(client, QUEUE, "record_disposition", [part], follow=False, **payload)
    assert f"it is installed in {server.serial_number}" in messages_of(response)[0]


# --- sanitizations ------------------------------------------------------------------------------


def sanitization_payload(asset, **extra):
    return {
        "apply": "yes",
        "asset": asset.serial_number,
        "method": "purge",
        **moment("performed_at", DECIDED - dt.timedelta(hours=2)),
        "performed_by": "R. Tech",
        "verified": "on",
        "certificate_id": "CERT-77",
        **extra,
    }


def test_sanitization_recorded_from_the_form_opens_the_gate(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    drive = at_center(center, site, category=Category.SSD)
    assert client.get(SANITIZATION_ADD, {"asset": drive.serial_number}).context["form"].initial["asset"] == (
        drive.serial_number
    )
    response = client.post(SANITIZATION_ADD, sanitization_payload(drive), follow=True)
    assert f"Recorded purge of {drive.serial_number} (verified)." in messages_of(response)
    assert response.redirect_chain[-1][0] == page_of(drive)
    record = SanitizationRecord.objects.get()
    assert (record.asset, record.certificate_id, record.verified) == (drive, "CERT-77", True)
    client.post(DISPOSITION_ADD, disposition_payload(drive, center))
    drive.refresh_from_db()
    assert drive.status == Status.RECYCLED


def test_verified_sanitization_without_certificate_is_refused(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    drive = at_center(center, site, category=Category.SSD)
    response = client.post(SANITIZATION_ADD, sanitization_payload(drive, certificate_id=""))
    assert "a verified sanitization needs its certificate_id" in messages_of(response)[0]
    assert not SanitizationRecord.objects.exists()


def test_bulk_sanitization_records_one_certificate_for_each_asset(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    drives = [at_center(center, site, category=Category.HDD) for _ in range(3)]
    page = choose_action(client, QUEUE, "record_sanitization", drives)
    assert page.context["form"].initial["performed_by"]
    payload = {k: v for k, v in sanitization_payload(drives[0], method="destroy").items() if k != "asset"}
    response = apply_action(client, QUEUE, "record_sanitization", drives, **payload)
    assert "Recorded destroy for 3 asset(s)." in messages_of(response)
    assert SanitizationRecord.objects.filter(method="destroy", certificate_id="CERT-77").count() == 3


# --- dismantling --------------------------------------------------------------------------------


def test_dismantle_from_the_assets_page_frees_its_parts(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, drives = server_with_drives(center, site)
    url = reverse("admin:circularity_assetatcenter_dismantle", args=[server.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"apply": "yes", **moment("occurred_at", DECIDED), "note": ""}, follow=True)
    assert any("2 part(s) are now top-level" in m for m in messages_of(response))
    # It lands on the parts it freed, found by the server they came out of.
    assert response.redirect_chain[-1][0] == f"{QUEUE}?dismantled_from={server.serial_number}"
    assert {row.pk for row in response.context["cl"].result_list} == {d.pk for d in drives}
    assert set(Asset.objects.filter(pk__in=[d.pk for d in drives]).values_list("parent", flat=True)) == {None}
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.AT_CIRCULAR_CENTER}


def test_dismantled_parts_are_found_by_their_former_server_and_filtered_by_it(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, drives = server_with_drives(center, site)
    other, _ = server_with_drives(center, site)
    apply_action(client, QUEUE, "dismantle", [server, other], **moment("occurred_at", DECIDED), note="")
    searched = client.get(QUEUE, {"q": server.serial_number}).context["cl"].result_list
    assert {row.pk for row in searched} == {server.pk, *(d.pk for d in drives)}
    page = client.get(QUEUE, {"dismantled_from": server.serial_number})
    rows = {row.pk: row for row in page.context["cl"].result_list}
    assert set(rows) == {d.pk for d in drives}
    assert f"?dismantled_from={server.serial_number}" in page.content.decode()  # the column links to the filter


def test_bulk_dismantle_refuses_an_empty_asset_by_name_and_writes_nothing(client):
    logged_in(client, TECHNICIAN)
    site, center = campus()
    server, drives = server_with_drives(center, site)
    empty = at_center(center, site)
    payload = {**moment("occurred_at", DECIDED), "note": "harvest"}
    response = apply_action(client, QUEUE, "dismantle", [server, empty], follow=False, **payload)
    assert f"Asset {empty.serial_number}: nothing is installed in it." in messages_of(response)
    assert set(Asset.objects.filter(pk__in=[d.pk for d in drives]).values_list("parent", flat=True)) == {server.pk}


def test_triage_actions_leave_an_admin_history(client):
    from django.contrib.admin.models import LogEntry

    user = logged_in(client, TECHNICIAN)
    site, center = campus()
    server, drives = server_with_drives(center, site)
    payload = {**moment("occurred_at", DECIDED), "note": ""}
    apply_action(client, QUEUE, "dismantle", [server], **payload)
    entry = LogEntry.objects.get(user=user)
    assert (entry.object_id, entry.change_message) == (str(server.pk), "Dismantled: 2 part(s) removed.")
    assert (
        "Dismantled"
        in client.get(reverse("admin:circularity_assetatcenter_history", args=[server.pk])).content.decode()
    )
