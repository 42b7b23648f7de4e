"""Sites and part models in the admin; data_bearing defaults from the category."""

import pytest
from django.urls import reverse

from inventory.admin.forms import PartModelForm
from inventory.choices import Category
from inventory.models import PartModel
from tests.factories import PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db


def part_model_data(category, data_bearing, model_number="X-1"):
    return {
        "manufacturer": "Contoso",
        "model_number": model_number,
        "category": category,
        "mass_kg": "0.250",
        "data_bearing": data_bearing,
        "embodied_kgco2e": "",
    }


@pytest.mark.parametrize(
    ("category", "choice", "expected"),
    [
        (Category.SSD, "default", True),
        (Category.HDD, "default", True),
        (Category.SERVER, "default", False),
        (Category.SERVER, "yes", True),  # a server with soldered flash
        (Category.SSD, "no", False),
    ],
)
def test_data_bearing_follows_the_category_unless_the_user_says_otherwise(admin_client, category, choice, expected):
    response = admin_client.post(reverse("admin:inventory_partmodel_add"), part_model_data(category, choice))
    assert response.status_code == 302
    assert PartModel.objects.get(model_number="X-1").data_bearing is expected


@pytest.mark.parametrize(
    ("category", "choice", "materials", "expected"),
    [
        (Category.BATTERY, "default", [], (True, ["battery"])),
        (Category.SSD, "default", [], (False, ["data_storage"])),
        (Category.SERVER, "default", [], (False, [])),
        (Category.SERVER, "yes", ["battery", "circuit_board"], (True, ["battery", "circuit_board"])),
        (Category.BATTERY, "no", ["battery"], (False, ["battery"])),
    ],
)
def test_hazardous_and_focus_materials_follow_the_category_unless_the_user_says_otherwise(
    admin_client, category, choice, materials, expected
):
    data = {**part_model_data(category, "default"), "hazardous": choice, "focus_materials": materials}
    response = admin_client.post(reverse("admin:inventory_partmodel_add"), data)
    assert response.status_code == 302
    saved = PartModel.objects.get(model_number="X-1")
    assert (saved.hazardous, saved.focus_materials) == expected


def test_an_edited_part_model_keeps_the_focus_materials_ticked_even_none(admin_client):
    ssd = PartModelFactory(category=Category.SSD, model_number="X-1")
    data = {**part_model_data(Category.SSD, "default"), "hazardous": "default", "focus_materials": []}
    response = admin_client.post(reverse("admin:inventory_partmodel_change", args=[ssd.pk]), data)
    assert response.status_code == 302
    ssd.refresh_from_db()
    assert ssd.focus_materials == []


def test_the_form_shows_default_unless_the_part_model_differs_from_its_category():
    assert (
        PartModelForm(instance=PartModelFactory(category=Category.SSD, data_bearing=True)).initial["data_bearing"]
        == "default"
    )
    assert (
        PartModelForm(instance=PartModelFactory(category=Category.SERVER, data_bearing=True)).initial["data_bearing"]
        == "yes"
    )
    assert (
        PartModelForm(instance=PartModelFactory(category=Category.SSD, data_bearing=False)).initial["data_bearing"]
        == "no"
    )


def test_site_and_part_model_lists_link_to_their_assets(admin_client):
    site = SiteFactory(code="AMS05")
    part_model = PartModelFactory()
    sites = admin_client.get(reverse("admin:inventory_site_changelist")).content.decode()
    assert f"/admin/inventory/asset/?site__id__exact={site.pk}" in sites
    models = admin_client.get(reverse("admin:inventory_partmodel_changelist")).content.decode()
    assert f"/admin/inventory/asset/?part_model__id__exact={part_model.pk}" in models


def test_sites_and_part_models_are_searchable_for_the_asset_autocomplete(admin_client):
    SiteFactory(code="AMS05")
    PartModelFactory(manufacturer="Fabrikam", model_number="PM9A3")
    url = reverse("admin:autocomplete")
    common = {"app_label": "inventory", "model_name": "asset"}
    sites = admin_client.get(url, {**common, "field_name": "site", "term": "AMS"}).json()
    assert [r["text"] for r in sites["results"]] == ["AMS05"]
    models = admin_client.get(url, {**common, "field_name": "part_model", "term": "PM9"}).json()
    assert [r["text"] for r in models["results"]] == ["Fabrikam PM9A3"]
