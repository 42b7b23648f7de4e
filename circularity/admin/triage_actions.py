"""The triage queue's actions: a disposition, a sanitization or a dismantling of the
selected assets, each through its intermediate form and all-or-nothing.

Each action calls its service once per asset inside one transaction
(``base.all_or_nothing``): every refusal is listed, naming its asset, and if there is one
nothing is written. The single-asset pages (the dismantle button) reuse the same code.
"""

from __future__ import annotations

from django.contrib import admin, messages

from inventory import lifecycle
from inventory.choices import Source

from .. import dispositions
from .base import all_or_nothing, render_form_page, report_refusals, submitted
from .forms import DismantleForm, DispositionFields, SanitizationFields

DISPOSITION_PERMISSION = "circularity.add_disposition"
SANITIZATION_PERMISSION = "circularity.add_sanitizationrecord"
DISMANTLE_PERMISSION = "inventory.change_asset"


def _label(asset) -> str:
    installed = f", installed in {asset.parent.serial_number}" if asset.parent_id else ""
    return f"{asset.serial_number} — {asset.part_model} at {asset.center.code}{installed}"


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
        assets = list(queryset.select_related("part_model", "center", "parent").order_by("serial_number"))
        centers = {asset.center for asset in assets}
        initial = {"center": next(iter(centers))} if len(centers) == 1 else {}
        form = DispositionFields(request.POST if submitted(request) else None, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            done, errors = all_or_nothing(
                assets,
                lambda asset: dispositions.record_disposition(
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
            )
            if not errors:
                for created in done:
                    self.log_addition(request, created[0], f"Recorded {data['route']} ({len(created)} row(s)).")
                rows = sum(len(created) for created in done)
                self.message_user(
                    request,
                    f"Recorded {data['route']} for {len(done)} asset(s) ({rows} disposition(s), installed parts "
                    "included).",
                    messages.SUCCESS,
                )
                return None
            report_refusals(request, errors)
        return render_form_page(
            self,
            request,
            title="Record a disposition",
            form=form,
            submit_label="Record disposition",
            intro="One route for every selected asset and everything installed in it; all of them are recorded, "
            "or none. Data-bearing assets need a verified sanitization first.",
            selection=[(asset.pk, _label(asset)) for asset in assets],
            selection_heading=f"{len(assets)} asset(s)",
            action="record_disposition",
        )

    @admin.action(description="Record a sanitization of the selected assets", permissions=["record_sanitization"])
    def record_sanitization(self, request, queryset):
        assets = list(queryset.select_related("part_model", "center", "parent").order_by("serial_number"))
        form = SanitizationFields(
            request.POST if submitted(request) else None,
            initial={"performed_by": request.user.get_full_name() or request.user.get_username()},
        )
        if form.is_valid():
            data = form.cleaned_data
            done, errors = all_or_nothing(
                assets,
                lambda asset: dispositions.record_sanitization(asset=asset, **data),
            )
            if not errors:
                for record in done:
                    self.log_addition(request, record, "Recorded.")
                self.message_user(request, f"Recorded {data['method']} for {len(done)} asset(s).", messages.SUCCESS)
                return None
            report_refusals(request, errors)
        return render_form_page(
            self,
            request,
            title="Record a sanitization",
            form=form,
            submit_label="Record sanitization",
            intro="One sanitization (and one certificate, e.g. a destruction lot) for every selected asset; all "
            "of them are recorded, or none.",
            selection=[(asset.pk, _label(asset)) for asset in assets],
            selection_heading=f"{len(assets)} asset(s)",
            action="record_sanitization",
        )

    @admin.action(description="Dismantle the selected assets (harvest their parts)", permissions=["dismantle"])
    def dismantle(self, request, queryset):
        assets = list(queryset.select_related("part_model", "center", "parent").order_by("serial_number"))
        return self._dismantle(assets, request, action="dismantle")

    def _dismantle(self, assets, request, *, action, obj=None):
        form = DismantleForm(request.POST if submitted(request) else None)
        if form.is_valid():
            data = form.cleaned_data
            done, errors = all_or_nothing(
                assets,
                lambda asset: lifecycle.dismantle(
                    asset, occurred_at=data["occurred_at"], note=data["note"], source=Source.ADMIN, actor=request.user
                ),
            )
            if not errors:
                for asset, events in zip(assets, done, strict=True):
                    self.log_change(request, asset, f"Dismantled: {len(events)} part(s) removed.")
                parts = sum(len(events) for events in done)
                self.message_user(
                    request,
                    f"Dismantled {len(done)} asset(s): {parts} part(s) are now top-level at their center, each "
                    "to get a disposition of its own.",
                    messages.SUCCESS,
                )
                return None
            report_refusals(request, errors)
        return render_form_page(
            self,
            request,
            title="Dismantle",
            form=form,
            submit_label="Dismantle",
            intro="Everything installed in each asset is removed and stays at the circular center as an asset of "
            "its own; the emptied asset stays too. Each then gets its own disposition.",
            selection=[(asset.pk, _label(asset)) for asset in assets],
            selection_heading=f"{len(assets)} asset(s)",
            action=action,
            obj=obj,
        )
