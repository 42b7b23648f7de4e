"""The asset list and the asset page of the admin."""

import datetime as dt
import html
import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory import lifecycle
from inventory.choices import Action, Category, Source, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory
from tests.plans import analyze, most_rows_joined

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:inventory_asset_changelist")

# Session, user, the site and part-model filter choices, the count, the page of rows.
CHANGELIST_QUERIES = 6


def change_url(asset):
    return reverse("admin:inventory_asset_change", args=[asset.pk])


def listed(response) -> list[str]:
    return [asset.serial_number for asset in response.context["cl"].result_list]


def test_search_finds_an_asset_by_its_whole_serial_number_or_its_beginning(admin_client):
    AssetFactory(serial_number="SRV-100", asset_tag="AT-1")
    AssetFactory(serial_number="SRV-101")
    AssetFactory(serial_number="DIMM-7")

    assert listed(admin_client.get(CHANGELIST, {"q": "SRV-100"})) == ["SRV-100"]
    assert listed(admin_client.get(CHANGELIST, {"q": "SRV-10"})) == ["SRV-100", "SRV-101"]
    assert listed(admin_client.get(CHANGELIST, {"q": "AT-1"})) == ["SRV-100"]
    assert listed(admin_client.get(CHANGELIST, {"q": "RV-100"})) == []  # prefix, not substring


def test_search_takes_lower_case_and_a_pasted_list_of_serial_numbers(admin_client):
    for serial in ("SRV-1", "SRV-2", "SRV-3"):
        AssetFactory(serial_number=serial)
    assert listed(admin_client.get(CHANGELIST, {"q": "srv-2"})) == ["SRV-2"]
    assert listed(admin_client.get(CHANGELIST, {"q": "SRV-1, SRV-3"})) == ["SRV-1", "SRV-3"]


@pytest.mark.postgres
def test_search_by_serial_number_uses_an_index():
    """The lookups the search builds are ones PostgreSQL answers from the unique indexes."""
    AssetFactory(serial_number="SRV-1")
    model_admin = admin_site._registry[Asset]
    queryset, _ = model_admin.get_search_results(None, Asset.objects.all(), "SRV-1")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "Seq Scan" not in plan and "Index Scan on inventory_asset_serial_number" in plan


def test_list_filters_by_status_site_category_and_part_model(admin_client):
    ams = SiteFactory(code="AMS05")
    ssd = PartModelFactory(category=Category.SSD)
    AssetFactory(serial_number="A", site=ams, status=Status.DEPLOYED, part_model=ssd)
    AssetFactory(serial_number="B", site=ams, status=Status.IN_STOCK)
    AssetFactory(serial_number="C", status=Status.DEPLOYED)

    assert listed(admin_client.get(CHANGELIST, {"status__exact": "deployed"})) == ["A", "C"]
    assert listed(admin_client.get(CHANGELIST, {"site__id__exact": ams.pk})) == ["A", "B"]
    assert listed(admin_client.get(CHANGELIST, {"part_model__category__exact": "ssd"})) == ["A"]
    assert listed(admin_client.get(CHANGELIST, {"part_model__id__exact": ssd.pk})) == ["A"]


def test_list_filters_top_level_assets_and_components(admin_client):
    server = AssetFactory(serial_number="SRV")
    AssetFactory(serial_number="SSD", parent=server, site=server.site)
    assert listed(admin_client.get(CHANGELIST, {"installed": "no"})) == ["SRV"]
    assert listed(admin_client.get(CHANGELIST, {"installed": "yes"})) == ["SSD"]


@pytest.mark.parametrize("servers", [2, 30])
def test_the_asset_list_runs_a_fixed_number_of_queries_whatever_the_rows(admin_client, servers):
    for _ in range(servers):
        server = AssetFactory()
        AssetFactory(parent=server, site=server.site, part_model=PartModelFactory(category=Category.SSD))
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 2 * servers
    assert len(captured) == CHANGELIST_QUERIES, "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.fixture
def short_pages(monkeypatch):
    """Two assets per page, and fourteen assets: seven servers with a drive each."""
    monkeypatch.setattr(admin_site._registry[Asset], "list_per_page", 2)
    ssd = PartModelFactory(category=Category.SSD)
    for i in range(7):
        server = AssetFactory(serial_number=f"SRV-{i}")
        AssetFactory(serial_number=f"SSD-{i}", parent=server, site=server.site, part_model=ssd)


def test_a_deep_page_of_the_asset_list_lists_its_rows_with_the_same_queries(admin_client, short_pages):
    with CaptureQueriesContext(connection) as first:
        admin_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as deep:
        response = admin_client.get(CHANGELIST, {"p": 6})
    assert listed(response) == ["SSD-3", "SSD-4"]
    assert [asset.parent.serial_number for asset in response.context["cl"].result_list] == ["SRV-3", "SRV-4"]
    assert len(deep) == len(first) == CHANGELIST_QUERIES
    assert listed(admin_client.get(CHANGELIST, {"p": 2, "installed": "yes", "o": "-1"})) == ["SSD-4", "SSD-3"]


@pytest.mark.postgres
def test_a_deep_page_of_the_asset_list_joins_only_its_own_rows(admin_client, short_pages):
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(CHANGELIST, {"p": 6})
    (rows,) = [
        q["sql"] for q in captured.captured_queries if '"inventory_site"."code"' in q["sql"] and "JOIN" in q["sql"]
    ]
    assert most_rows_joined(analyze(rows)) == 2  # not the ten rows before the page


def test_the_asset_page_shows_what_is_installed_in_it_and_its_history_newest_first(admin_client, when):
    server = AssetFactory(serial_number="SRV-1", status=Status.DEPLOYED)
    AssetFactory(serial_number="SSD-1", parent=server, site=server.site, part_model=PartModelFactory(category="ssd"))
    lifecycle.transition(server, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API, note="first")
    lifecycle.transition(
        server, to=Status.DEPLOYED, occurred_at=when + dt.timedelta(hours=1), source=Source.API, note="second"
    )

    response = admin_client.get(change_url(server))

    assert response.status_code == 200
    components, history = response.context["inline_admin_formsets"]
    assert [form.original.serial_number for form in components] == ["SSD-1"]
    assert change_url(Asset.objects.get(serial_number="SSD-1")) in response.content.decode()
    assert [form.original.note for form in history] == ["second", "first"]
    assert not history.has_add_permission and not history.has_change_permission
    assert not history.has_delete_permission


def form_data(page) -> dict:
    """What a browser posts back from the asset page: its inputs and selects as rendered."""
    content = page.content.decode()
    form = content[content.index('id="asset_form"') : content.index("</form>", content.index('id="asset_form"'))]
    data = {}
    for attributes in re.findall(r"<input([^>]*)>", form):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        if "name" in attrs and attrs.get("type") not in ("submit", "checkbox"):
            data[attrs["name"]] = html.unescape(attrs.get("value", ""))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', options)
        data[name] = selected.group(1) if selected else ""
    return data


def test_the_change_form_cannot_alter_status_parent_or_site(admin_client, when):
    server = AssetFactory(serial_number="SRV-1", status=Status.DEPLOYED)
    other = AssetFactory(serial_number="SRV-2", status=Status.DEPLOYED)
    ssd = AssetFactory(serial_number="SSD-1", parent=server, site=server.site, status=Status.DEPLOYED)
    AssetFactory(serial_number="DIMM-1", parent=ssd, site=server.site, status=Status.DEPLOYED)
    lifecycle.remove("SSD-1", occurred_at=when, source=Source.API)
    lifecycle.install("SSD-1", parent=server, occurred_at=when, source=Source.API)
    data = form_data(admin_client.get(change_url(ssd)))
    assert data["events-TOTAL_FORMS"] == "2" and data["components-TOTAL_FORMS"] == "1"

    data.update(asset_tag="NEW-TAG", status=Status.RECYCLED, parent=other.pk, site=other.site_id, _save="Save")
    response = admin_client.post(change_url(ssd), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    ssd.refresh_from_db()
    assert (ssd.asset_tag, ssd.status, ssd.parent, ssd.site) == ("NEW-TAG", Status.DEPLOYED, server, server.site)
    assert LifecycleEvent.objects.count() == 2  # the history is untouched


def test_saving_an_asset_page_keeps_a_lifecycle_change_made_meanwhile(rf, admin_user, when):
    asset = AssetFactory(serial_number="SRV-1", status=Status.DEPLOYED)
    stale = Asset.objects.get(pk=asset.pk)  # the page's copy, loaded before the change
    lifecycle.transition(asset, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API)
    model_admin = admin_site._registry[Asset]
    request = rf.post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, stale, change=True)
    form = form_class({"serial_number": "SRV-1", "asset_tag": "NEW", "part_model": stale.part_model_id}, instance=stale)
    assert form.is_valid(), form.errors

    model_admin.save_model(request, form.save(commit=False), form, change=True)

    asset.refresh_from_db()
    assert (asset.asset_tag, asset.status) == ("NEW", Status.DECOMMISSIONED)


def test_adding_an_asset_registers_it_with_a_first_event(admin_client, admin_user):
    site, part_model = SiteFactory(code="AMS05"), PartModelFactory()
    response = admin_client.post(
        reverse("admin:inventory_asset_add"),
        {"serial_number": "NEW-1", "asset_tag": "", "part_model": part_model.pk, "site": site.pk, "status": "deployed"},
    )
    assert response.status_code == 302
    asset = Asset.objects.get(serial_number="NEW-1")
    assert (asset.status, asset.asset_tag, asset.parent) == (Status.DEPLOYED, None, None)
    event = LifecycleEvent.objects.get(asset=asset)
    assert (event.action, event.from_status, event.to_status) == (Action.TRANSITION, Status.DEPLOYED, Status.DEPLOYED)
    assert (event.source, event.actor, event.location) == (Source.ADMIN, admin_user, "AMS05")


def test_a_new_asset_starts_only_in_stock_or_deployed(admin_client):
    site, part_model = SiteFactory(), PartModelFactory()
    response = admin_client.post(
        reverse("admin:inventory_asset_add"),
        {"serial_number": "NEW-1", "part_model": part_model.pk, "site": site.pk, "status": "decommissioned"},
    )
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Asset.objects.exists()


def test_assets_cannot_be_deleted_through_the_admin(admin_client):
    asset = AssetFactory()
    assert admin_client.get(reverse("admin:inventory_asset_delete", args=[asset.pk])).status_code == 403
    choices = admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in choices]


def test_the_asset_page_runs_a_fixed_number_of_queries_whatever_its_history(admin_client, when):
    def queries_for(components: int) -> int:
        server = AssetFactory(status=Status.DEPLOYED)
        for _ in range(components):
            part = AssetFactory(parent=server, site=server.site, status=Status.DEPLOYED)
            lifecycle.remove(part, occurred_at=when, source=Source.ADMIN)
            lifecycle.install(part, parent=server, occurred_at=when, source=Source.ADMIN)
        lifecycle.transition(server, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API)
        admin_client.get(change_url(server))  # warms the content-type cache
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(change_url(server)).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(15)


def test_an_analyst_sees_an_asset_page_but_cannot_change_it(client, django_user_model):
    analyst = django_user_model.objects.create_user("analyst", password="pw", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Sustainability analyst"))
    client.force_login(analyst)
    asset = AssetFactory(serial_number="SRV-1")

    page = client.get(change_url(asset))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    response = client.post(change_url(asset), {"serial_number": "CHANGED", "part_model": asset.part_model_id})
    assert response.status_code == 403
    asset.refresh_from_db()
    assert asset.serial_number == "SRV-1"
    assert client.get(reverse("admin:inventory_asset_add")).status_code == 403


def test_an_asset_at_a_center_links_to_its_triage_page(admin_client):
    site = SiteFactory()
    asset = AssetFactory(status="at_circular_center", site=site, center=CircularCenterFactory(sites=[site]))
    page = admin_client.get(change_url(asset)).content.decode()
    assert f"/admin/circularity/assetatcenter/{asset.pk}/change/" in page
