"""The triage queue's actions: a disposition, a sanitization or a dismantling of the
selected assets, each through its intermediate form and all-or-nothing.

Each action calls its service once per asset inside one transaction
(``base.all_or_nothing``): every refusal is listed, naming its asset, and if there is one
nothing is written. The single-asset pages (the dismantle button) reuse the same code.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from inventory import lifecycle
from inventory.admin.scoping import limit_choices
from inventory.choices import Source
from inventory.scopes import scope_for

from .. import dispositions
from .base import run_bulk_action, submitted
from .forms import DismantleForm, DispositionFields, SanitizationFields

DISPOSITION_PERMISSION = "circularity.add_disposition"
SANITIZATION_PERMISSION = "circularity.add_sanitizationrecord"
DISMANTLE_PERMISSION = "inventory.change_asset"


def _label(asset) -> str:
    installed = f", installed in {asset.parent.serial_number}" if asset.parent_id else ""
    return f"{asset.serial_number} — {asset.part_model} at {asset.center.code}{installed}"


def _selected(queryset) -> list:
    return list(queryset.select_related("part_model", "center", "parent").order_by("serial_number"))


def _page(assets, **page) -> dict:
    """``render_form_page``'s arguments for a page listing the selected assets."""
    return {**page, "selection": [(a.pk, _label(a)) for a in assets], "selection_heading": f"{len(assets)} asset(s)"}


class TriageActionsMixin:
    """For the ModelAdmin of ``AssetAtCenter``."""

    def has_record_disposition_permission(self, request):
        return request.user.has_perm(DISPOSITION_PERMISSION)

    def has_record_sanitization_permission(self, request):
        return request.user.has_perm(SANITIZATION_PERMISSION)

    def has_dismantle_permission(self, request):
        return request.user.has_perm(DISMANTLE_PERMISSION)

    @admin.action(description="Record a disposition of the selected assets", permissions=["record_disposition"])
    def record_disposition(self, request, queryset):
        assets = _selected(queryset)
        centers = {asset.center for asset in assets}
        initial = {"center": next(iter(centers))} if len(centers) == 1 else {}
        return run_bulk_action(
            self,
            request,
            assets,
            form=limit_choices(
                DispositionFields(request.POST if submitted(request) else None, initial=initial), scope_for(request)
            ),
            apply=lambda asset, data: dispositions.record_disposition(
                asset=asset,
                center=data["center"],
                route=data["route"],
                decided_at=data["decided_at"],
                to_site=data["to_site"],
                vendor=data["vendor"],
                certificate_id=data["certificate_id"],
                source=Source.ADMIN,
                actor=request.user,
            ),
            log=lambda asset, created: self.log_addition(
                request, created[0], f"Recorded {created[0].route} ({len(created)} row(s))."
            ),
            done_message=lambda done, data: (
                f"Recorded {data['route']} for {len(done)} asset(s) "
                f"({sum(len(created) for created in done)} disposition(s), installed parts included)."
            ),
            page=_page(
                assets,
                title="Record a disposition",
                submit_label="Record disposition",
                intro="One route for every selected asset and everything installed in it; all of them are "
                "recorded, or none. Data-bearing assets need a verified sanitization first.",
                action="record_disposition",
            ),
        )

    @admin.action(description="Record a sanitization of the selected assets", permissions=["record_sanitization"])
    def record_sanitization(self, request, queryset):
        assets = _selected(queryset)
        initial = {"performed_by": request.user.get_full_name() or request.user.get_username()}
        return run_bulk_action(
            self,
            request,
            assets,
            form=SanitizationFields(request.POST if submitted(request) else None, initial=initial),
            apply=lambda asset, data: dispositions.record_sanitization(asset=asset, **data),
            log=lambda asset, record: self.log_addition(request, record, "Recorded."),
            done_message=lambda done, data: f"Recorded {data['method']} for {len(done)} asset(s).",
            page=_page(
                assets,
                title="Record a sanitization",
                submit_label="Record sanitization",
                intro="One sanitization (and one certificate, e.g. a destruction lot) for every selected asset; "
                "all of them are recorded, or none.",
                action="record_sanitization",
            ),
        )

    @admin.action(description="Dismantle the selected assets (harvest their parts)", permissions=["dismantle"])
    def dismantle(self, request, queryset):
        return self._dismantle(_selected(queryset), request, action="dismantle")

    def _dismantle(self, assets, request, *, action, obj=None):
        """The form page, or (dismantled) the queue showing the parts taken out, wherever they are."""
        response = run_bulk_action(
            self,
            request,
            assets,
            form=DismantleForm(request.POST if submitted(request) else None),
            apply=lambda asset, data: lifecycle.dismantle(
                asset, occurred_at=data["occurred_at"], note=data["note"], source=Source.ADMIN, actor=request.user
            ),
            log=lambda asset, events: self.log_change(request, asset, f"Dismantled: {len(events)} part(s) removed."),
            done_message=lambda done, data: (
                f"Dismantled {len(done)} asset(s): {sum(len(events) for events in done)} part(s) are now "
                "top-level at their center, each to get a disposition of its own."
            ),
            page=_page(
                assets,
                title="Dismantle",
                submit_label="Dismantle",
                intro="Everything installed in each asset is removed and stays at the circular center as an asset "
                "of its own; the emptied asset stays too. Each then gets its own disposition.",
                action=action,
                obj=obj,
            ),
        )
        if response is not None:
            return response
        queue = reverse("admin:circularity_assetatcenter_changelist")
        if len(assets) == 1:
            return HttpResponseRedirect(f"{queue}?{urlencode({'dismantled_from': assets[0].serial_number})}")
        return HttpResponseRedirect(f"{queue}?{urlencode({'q': ' '.join(a.serial_number for a in assets)})}")
