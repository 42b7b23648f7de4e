"""Sites and part models: the catalogue assets refer to.

A scoped user sees the sites of their scope, read-only (sites define the scopes), and the
whole part-model catalogue, read-only (every campus shares it): ``inventory.admin.scoping``.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import PartModel, Site
from ..scopes import SCOPED_VIEW
from .forms import PartModelForm
from .scoping import ScopedAdminMixin, SharedAdminMixin


def _assets_link(filter_name: str, pk: int):
    url = reverse("admin:inventory_asset_changelist") + "?" + urlencode({filter_name: pk})
    return format_html('<a href="{}">Assets</a>', url)


@admin.register(Site)
class SiteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_policy = SCOPED_VIEW
    list_display = ("code", "name", "region", "country", "assets")
    list_filter = ("region", "country")
    search_fields = ("code", "name")

    @admin.display(description="assets")
    def assets(self, obj):
        return _assets_link("site__id__exact", obj.pk)


@admin.register(PartModel)
class PartModelAdmin(SharedAdminMixin, admin.ModelAdmin):
    form = PartModelForm
    list_display = (
        "manufacturer",
        "model_number",
        "category",
        "mass_kg",
        "data_bearing",
        "hazardous",
        "embodied_kgco2e",
        "assets",
    )
    list_filter = ("category", "data_bearing", "hazardous", "manufacturer")
    search_fields = ("manufacturer", "model_number")

    @admin.display(description="assets")
    def assets(self, obj):
        return _assets_link("part_model__id__exact", obj.pk)
