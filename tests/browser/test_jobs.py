"""Every job of a data-center operator and a circular-center technician, in the admin, in a browser.

One server's whole custody cycle, by clicks and typing only: find it by serial number,
decommission it with its parts, ship it, receive it, sanitize its drives, dismantle it,
reuse some parts at another site and install one into another server there, recycle the
rest and the chassis. Then a CSV import with a bad row, the dashboard (its figures moved as
the API says) and the monthly report's HTML. The API is asked through the browser's own
session; the database is read only to check what the pages said.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from circularity import dispositions
from circularity.models import ReportRecipient
from circularity.periods import add_months, current_month, fiscal_year_of, fiscal_year_start
from inventory import lifecycle
from inventory.choices import Category, Source, Status
from inventory.models import Asset
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory

from .conftest import expect_message, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SERVER, OTHER_SERVER = "SRV-E2E-0001", "SRV-E2E-0002"
CPUS, DIMMS, SSDS = ["CPU-E2E-1", "CPU-E2E-2"], ["DIMM-E2E-1", "DIMM-E2E-2"], ["SSD-E2E-1", "SSD-E2E-2"]
QUEUE = reverse("admin:circularity_assetatcenter_changelist")


@pytest.fixture
def fleet():
    """AMS05 with its circular center, DUB07 beside it; a deployed server with two CPUs, two
    DIMMs and two SSDs; a server at DUB07; and last month's recycled server for the report."""
    ams, dub = SiteFactory(code="AMS05"), SiteFactory(code="DUB07")
    center = CircularCenterFactory(code="AMS-CC", name="Amsterdam circular center", sites=[ams])
    server_model = PartModelFactory(manufacturer="Contoso", model_number="CX-2U", mass_kg="18.4")
    models = {
        Category.CPU: PartModelFactory(manufacturer="Intel", model_number="Xeon 8380", category=Category.CPU),
        Category.MEMORY: PartModelFactory(manufacturer="Samsung", model_number="M393", category=Category.MEMORY),
        Category.SSD: PartModelFactory(manufacturer="Tailspin", model_number="TS-3T84", category=Category.SSD),
    }
    server = AssetFactory(serial_number=SERVER, part_model=server_model, site=ams, status=Status.DEPLOYED)
    for category, serials in ((Category.CPU, CPUS), (Category.MEMORY, DIMMS), (Category.SSD, SSDS)):
        for serial in serials:
            AssetFactory(serial_number=serial, part_model=models[category], site=ams, parent=server)
    AssetFactory(serial_number=OTHER_SERVER, part_model=server_model, site=dub, status=Status.DEPLOYED)

    last_month = add_months(current_month(), -1)
    old = AssetFactory(serial_number="SRV-OLD-0001", part_model=server_model, site=ams, status=Status.DEPLOYED)
    moment = dt.datetime.combine(last_month, dt.time(9), tzinfo=dt.UTC)
    lifecycle.transition(old, to=Status.DECOMMISSIONED, occurred_at=moment, source=Source.API)
    lifecycle.transition(
        old, to=Status.AT_CIRCULAR_CENTER, occurred_at=moment + dt.timedelta(days=2), center=center, source=Source.API
    )
    dispositions.record_disposition(
        asset=old,
        center=center,
        route="recycle",
        decided_at=moment + dt.timedelta(days=5),
        vendor="GreenCycle",
        source=Source.API,
    )
    ReportRecipient.objects.create(name="Compliance", email="compliance@example.com")
    return {"ams": ams, "dub": dub, "center": center, "last_month": last_month}


def api(page, path: str) -> dict:
    response = page.request.get(path)
    assert response.ok, (path, response.status, response.text()[:500])
    return response.json()


def status_of(page, serial: str) -> str:
    return api(page, f"/api/v1/assets/{serial}/")["status"]


def fiscal_year_units(page) -> tuple[int, int]:
    """(what the dashboard says, what the API says): assets dispositioned this fiscal year."""
    page.goto(reverse("circularity:dashboard"))
    detail = page.locator(".kpi .kpi-detail").first.inner_text()
    shown = int(re.search(r"([\d,]+) assets? dispositioned", detail).group(1).replace(",", ""))
    first = fiscal_year_start(fiscal_year_of(timezone.now().date()))
    month = f"{first:%Y-%m}"
    (row,) = api(page, f"/api/v1/metrics/circularity/?period=fiscal_year&start={month}&end={month}")["results"]
    return shown, row["units"]


def open_asset(page, serial: str) -> None:
    page.goto(reverse("admin:inventory_asset_changelist"))
    page.fill("#searchbar", serial)
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    go(page, f"#result_list a:text-is('{serial}')")
    page.wait_for_selector(f"h2:text-is('{serial}'), .readonly:text-is('{serial}'), input[value='{serial}']")


def go(page, selector: str) -> None:
    """Click what leads to another page, and wait for that page (not read the old one)."""
    with page.expect_navigation():
        page.click(selector)


def tick(page, serials) -> None:
    for serial in serials:
        page.locator(f"#result_list tr:has(a:text-is('{serial}')) input.action-select").check()


def run_action(page, action: str) -> None:
    page.select_option("select[name=action]", action)
    go(page, "button[name=index]")
    page.wait_for_selector("#circularity-form")


def submit(page) -> None:
    go(page, "#circularity-form .submit-row input[type=submit]")


def test_a_server_from_its_rack_to_reuse_and_recycling_and_the_figures_that_follow(page, walk, staff, fleet):
    with walk.step("log in"):
        log_in(page, staff)
    with walk.step("read this fiscal year's figures on the dashboard and in the API"):
        before, api_before = fiscal_year_units(page)
        assert before == api_before

    with walk.step("find the server by its serial number"):
        open_asset(page, SERVER)
        assert page.locator("table:has-text('installed in this asset'), .inline-group").first.is_visible()
    with walk.step("decommission it with its parts: one click, the form pre-filled"):
        go(page, "a.asset-tool:has-text('Decommissioned')")
        assert page.locator("#id_to").input_value() == Status.DECOMMISSIONED
        go(page, "#asset-tool-form input[type=submit]")
        expect_message(page, f"{SERVER} is now Decommissioned. 6 component(s) installed in it moved with it.")
        assert status_of(page, SSDS[0]) == Status.DECOMMISSIONED

    with walk.step("ship it to the circular center"):
        go(page, "a.asset-tool:has-text('In transit')")
        assert SERVER in page.locator("#id_serial_numbers").input_value()
        page.select_option("#id_to_center", label=str(fleet["center"]))
        page.fill("#id_tracking_ref", "TRK-E2E-1")
        submit(page)
        expect_message(page, "1 asset(s) in transit to AMS-CC")
        assert status_of(page, CPUS[0]) == Status.IN_TRANSIT
    with walk.step("receive it at the center"):
        go(page, "a:has-text('Receive at AMS-CC')")
        submit(page)
        expect_message(page, "received at AMS-CC")
        assert status_of(page, SERVER) == Status.AT_CIRCULAR_CENTER

    with walk.step("sanitize its drives: the server's page offers its data-bearing parts"):
        page.goto(QUEUE)
        page.fill("#searchbar", SERVER)
        with page.expect_navigation():
            page.press("#searchbar", "Enter")
        go(page, f"#result_list a:text-is('{SERVER}')")
        go(page, "a:has-text('Record sanitization of its 2 data-bearing parts')")
        rows = page.locator("#result_list tbody tr")
        assert sorted(rows.locator("th a, td.field-serial_number a").all_inner_texts()) == SSDS
        page.check("#action-toggle")
        run_action(page, "record_sanitization")
        page.select_option("#id_method", "purge")
        page.check("#id_verified")
        page.fill("#id_certificate_id", "CERT-E2E-1")
        submit(page)
        expect_message(page, "Recorded purge for 2 asset(s).")

    with walk.step("dismantle it and land on its parts"):
        page.goto(QUEUE + f"?q={SERVER}&installed=no")
        go(page, f"#result_list a:text-is('{SERVER}')")
        go(page, "a:has-text('Dismantle')")
        submit(page)
        expect_message(page, "6 part(s) are now top-level")
        assert f"dismantled_from={SERVER}" in page.url
        listed = page.locator("#result_list tbody tr").count()
        assert listed == 6

    with walk.step("reuse the CPUs and a DIMM at another site"):
        tick(page, [*CPUS, DIMMS[0]])
        run_action(page, "record_disposition")
        page.select_option("#id_route", "reuse")
        page.select_option("#id_to_site", label="DUB07")
        submit(page)
        expect_message(page, "Recorded reuse for 3 asset(s)")
        assert api(page, f"/api/v1/assets/{DIMMS[0]}/")["site"] == "DUB07"

    with walk.step("install the reused DIMM into a server at that site, from the part's page"):
        open_asset(page, DIMMS[0])
        go(page, "a.asset-tool:has-text('Install in a server')")
        page.fill("#id_parent", OTHER_SERVER)
        go(page, "#asset-tool-form input[type=submit]")
        expect_message(page, f"Installed {DIMMS[0]} in {OTHER_SERVER}.")
        assert DIMMS[0] in api(page, f"/api/v1/assets/{OTHER_SERVER}/")["components"]
        assert status_of(page, DIMMS[0]) == Status.DEPLOYED

    with walk.step("recycle the rest and the chassis"):
        page.goto(QUEUE + f"?q={SERVER}")
        listed = sorted(page.locator("#result_list tbody tr th a").all_inner_texts())
        assert listed == sorted([SERVER, DIMMS[1], *SSDS])
        page.check("#action-toggle")
        run_action(page, "record_disposition")
        page.select_option("#id_route", "recycle")
        page.fill("#id_vendor", "GreenCycle")
        page.fill("#id_certificate_id", "RC-E2E-1")
        submit(page)
        expect_message(page, "Recorded recycle for 4 asset(s)")
        for serial in (SERVER, DIMMS[1], *SSDS):
            assert status_of(page, serial) == Status.RECYCLED

    with walk.step("import a CSV with a bad row: refused whole, the row named"):
        page.goto(reverse("admin:inventory_asset_changelist"))
        go(page, "a:has-text('Import CSV')")
        rows = (
            "serial_number,manufacturer,model_number,site\n"
            "CSV-E2E-1,Contoso,CX-2U,AMS05\n"
            "CSV-E2E-2,Contoso,CX-2U,NOPE\n"
        )
        page.set_input_files("input[type=file]", {"name": "fleet.csv", "mimeType": "text/csv", "buffer": rows.encode()})
        go(page, "form .submit-row input[type=submit]")
        errors = page.locator("#import-errors li").all_inner_texts()
        assert any("line 3" in error and "NOPE" in error for error in errors), errors
        assert not Asset.objects.filter(serial_number__startswith="CSV-E2E").exists()

    with walk.step("the dashboard's figures moved as the API says"):
        after, api_after = fiscal_year_units(page)
        assert after == api_after == before + 7  # 3 reused, 4 recycled

    with walk.step("the monthly report's HTML opens"):
        call_command("send_compliance_report", "--month", f"{fleet['last_month']:%Y-%m}", stdout=io.StringIO())
        page.goto(reverse("admin:circularity_compliancereport_changelist"))
        go(page, "#result_list a:text-is('preview')")
        page.wait_for_load_state()
        body = page.locator("body").inner_text()
        assert f"{fleet['last_month']:%B %Y}" in body
        assert "100.0 %" in body  # last month: one server, recycled
