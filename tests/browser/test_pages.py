"""Pages as they render: the API docs offline, the asset list at 1,400 px, Cancel beside its
button, "View site"."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from inventory.choices import Category, Status
from tests.factories import AssetFactory, PartModelFactory, SiteFactory

from .conftest import ARTIFACTS, WIDTH, log_in

pytestmark = pytest.mark.django_db(transaction=True)

DOCS_SCREENSHOT = "docs/screenshots/api-docs-offline.png"
TEXT_BOX = """link => {
    const range = document.createRange();
    range.selectNodeContents(link);
    const box = range.getBoundingClientRect();
    return {top: box.top + window.scrollY, bottom: box.bottom + window.scrollY};
}"""


def test_the_api_docs_render_with_every_outside_request_blocked(page, walk, live_server):
    local = urlparse(live_server.url).netloc
    outside: list[str] = []

    def only_this_server(route):
        if urlparse(route.request.url).netloc == local:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    with walk.step("open /api/v1/docs/ offline"):
        page.goto("/api/v1/docs/")
        page.wait_for_selector(".swagger-ui .opblock-tag", timeout=30_000)
        assert page.locator(".swagger-ui .opblock").count() > 20
        assert "AssetLife API" in page.locator(".swagger-ui .title").inner_text()
    with walk.step("keep a screenshot of it"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs-offline.png"))
        if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
            page.screenshot(path=DOCS_SCREENSHOT)
    with walk.step("open /api/v1/redoc/ offline"):
        page.goto("/api/v1/redoc/")
        page.wait_for_selector("redoc .menu-content, [role=navigation]", timeout=30_000)
    assert outside == [], f"the docs pages asked the internet for {outside}"


def test_the_asset_list_shows_its_last_column_at_1400_px(page, walk, staff):
    """With the demo fleet's longest names and serial numbers, as a technician saw it cut off."""
    site = SiteFactory(code="AMS05")
    model = PartModelFactory(manufacturer="Lenovo", model_number="ThinkSystem SR655 V3", mass_kg="20.1")
    server = AssetFactory(serial_number="J30Q7X2KD", asset_tag="AL-0000008", site=site, part_model=model)
    AssetFactory(
        serial_number="13MBT6XBGKWSW",
        part_model=PartModelFactory(manufacturer="NVIDIA", model_number="900-21001-0020-000", category=Category.GPU),
        site=site,
        parent=server,
        status=Status.DECOMMISSIONED,
    )
    with walk.step("log in"):
        log_in(page, staff)
    with walk.step("open the asset list at 1,400 px"):
        page.goto(reverse("admin:inventory_asset_changelist"))
        last = page.locator("#result_list thead th").last
        assert last.inner_text().strip().lower() == "installed in"
        right = last.evaluate("th => th.getBoundingClientRect().right")
        shown = page.locator("#changelist .results").evaluate("div => div.getBoundingClientRect().right")
        assert right <= min(shown, WIDTH), f"the last column ends at {right:.0f} px; the list shows up to {shown:.0f}"
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_cancel_sits_in_line_with_the_submit_button_on_the_move_and_import_forms(page, walk, staff):
    asset = AssetFactory(status=Status.DEPLOYED, site=SiteFactory(code="AMS05"))
    with walk.step("log in"):
        log_in(page, staff)
    for title, url in (
        ("move form", reverse("admin:inventory_asset_move", args=[asset.pk]) + "?to=decommissioned"),
        ("import form", reverse("admin:inventory_asset_import")),
    ):
        with walk.step(f"Cancel beside the button on the {title}"):
            page.goto(url)
            button = page.locator(".submit-row input[type=submit]").first.bounding_box()
            link = page.locator(".submit-row a.cancel-link").first
            cancel = link.bounding_box()
            assert abs(button["y"] - cancel["y"]) <= 1 and abs(button["height"] - cancel["height"]) <= 1, (
                button,
                cancel,
            )
            # The word itself in the middle of its box, as the button's is (it sat at the top).
            text = link.evaluate(TEXT_BOX)
            middle = cancel["y"] + cancel["height"] / 2
            assert abs((text["top"] + text["bottom"]) / 2 - middle) <= 2, (text, cancel)


def test_view_site_opens_the_dashboard(page, walk, staff):
    with walk.step("log in"):
        log_in(page, staff)
    with walk.step("click View site"):
        page.click("#user-tools a:has-text('View site')")
        page.wait_for_load_state()
        assert page.url.endswith(reverse("circularity:dashboard"))
        assert page.locator(".kpi-grid").count() == 1
