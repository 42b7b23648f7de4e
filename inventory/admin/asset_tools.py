"""The buttons of one asset's page: move it to a next state, install parts into it, install it.

Each is a page of its own under the asset's URL, with a small form, calling the same
``inventory.lifecycle`` service the API calls (``transition``, ``install``), and back to the
asset's page. The assets a page offers and accepts come from the admin's own queryset, so
a scoped user meets only those in the scope; a serial number outside it reads as unknown.

* ``<pk>/move/?to=<state>``: one click from the page's "Next states" buttons, the form
  pre-filled with that state.
* ``<pk>/install-parts/``: from a server's page, the top-level parts at the same site or
  circular center that may go in (in stock, or in the server's own state), picked from a
  list filtered by typing, or scanned into a box one serial number a line. All or none.
* ``<pk>/install-into/``: from a part's page, the server to install it in, typed or scanned
  (the servers at the same place are suggested).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers, widgets
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from .. import lifecycle
from ..choices import TERMINAL_STATUSES, Action, Category, Source, Status
from ..errors import AssetNotFound, LifecycleError
from ..models import Asset, LifecycleEvent
from ..scopes import scope_for
from .forms import ACTION_TARGETS, MomentField, TransitionForm
from .scoping import limit_choices

# How many candidates a picker lists; past it, the user types or scans the serial number.
MAX_CHOICES = 500
TEMPLATE = "admin/inventory/asset/tool_form.html"


class _Moved(forms.Form):
    occurred_at = MomentField(help_text="When it happened in the data center.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), required=False)


def _serials(text: str) -> list[str]:
    """Serial numbers typed or scanned: one a line (a scanner ends each with Enter), or spaces/commas."""
    return list(dict.fromkeys(text.replace(",", " ").split()))


class InstallPartsForm(_Moved):
    parts = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        widget=widgets.FilteredSelectMultiple("parts", is_stacked=False),
        help_text="Type part of a serial number in the filter box to narrow the list.",
    )
    scanned = forms.CharField(
        label="Or scan serial numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40, "autofocus": True, "class": "vLargeTextField"}),
        help_text="One serial number a line, as a barcode scanner types them.",
    )
    field_order = ["scanned", "parts", "occurred_at", "note"]

    def clean(self):
        cleaned = super().clean()
        chosen = [part.serial_number for part in cleaned.get("parts") or ()]
        cleaned["serials"] = list(dict.fromkeys([*_serials(cleaned.get("scanned", "")), *chosen]))
        if not cleaned["serials"] and not self.errors:
            raise forms.ValidationError("Choose the parts to install, or scan their serial numbers.")
        return cleaned


class InstallIntoForm(_Moved):
    parent = forms.CharField(
        label="Server serial number",
        widget=forms.TextInput(attrs={"list": "install-into-candidates", "autofocus": True, "autocomplete": "off"}),
        help_text="Type or scan it; the servers at the same site or circular center are suggested.",
    )
    field_order = ["parent", "occurred_at", "note"]

    def clean_parent(self):
        return self.cleaned_data["parent"].strip()


def movable_here(host: Asset, base):
    """The top-level assets ``install`` could put into ``host``: at its site and center, not itself.

    In stock, or in the host's own state (a spare DIMM goes into a deployed server, taking
    its state). The service still checks each one, under its lock.
    """
    states = {Status.IN_STOCK, host.status} & lifecycle.PART_MOVE_STATUSES
    return (
        base.filter(parent__isnull=True, status__in=states, site_id=host.site_id, center_id=host.center_id)
        .exclude(pk=host.pk)
        .exclude(part_model__category=Category.SERVER)
        .select_related("part_model")
        .order_by("serial_number")
    )


def hosts_for(part: Asset, base):
    """The servers at the part's site and center that are in a state parts move in."""
    return (
        base.filter(
            part_model__category=Category.SERVER,
            status__in=lifecycle.PART_MOVE_STATUSES,
            site_id=part.site_id,
            center_id=part.center_id,
        )
        .exclude(pk=part.pk)
        .order_by("serial_number")
    )


def next_state_buttons(asset: Asset) -> list[tuple[str, str]]:
    """(label, url) for each state the asset may go to next, each one click away."""
    if asset.status in TERMINAL_STATUSES:
        return []
    if asset.parent_id is not None:  # a component moves with its parent (or is removed first)
        return []
    if asset.status == Status.MISSING:
        found_in = (
            LifecycleEvent.objects.filter(asset=asset, action=Action.TRANSITION, to_status=Status.MISSING)
            .order_by("-occurred_at", "-pk")
            .values_list("from_status", flat=True)
            .first()
        )
        states = lifecycle.allowed_next(Status.MISSING, before_missing=found_in)
    else:
        states = lifecycle.allowed_next(asset.status)
    buttons = []
    move = reverse("admin:inventory_asset_move", args=[asset.pk])
    for state in sorted(states, key=list(Status.values).index):
        label = Status(state).label
        if state in ACTION_TARGETS:
            buttons.append((f"→ {label}", f"{move}?{urlencode({'to': state})}"))
        elif state == Status.IN_TRANSIT:
            # The inventory imports nothing of the circularity app: its shipment page by name.
            try:
                ship = reverse("admin:circularity_shipment_add")
            except NoReverseMatch:
                continue
            query = urlencode({"from_site": asset.site_id, "serial": asset.serial_number})
            buttons.append((f"→ {label} (ship)", f"{ship}?{query}"))
    return buttons


def _page(model_admin, request, asset, *, title, form, submit_label, intro, extra=None):
    fields = list(form.fields)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "original": asset,
        "form": form,
        "adminform": helpers.AdminForm(form, [(None, {"fields": fields})], {}),
        "media": model_admin.media + form.media,
        "intro": intro,
        "submit_label": submit_label,
        "cancel_url": reverse("admin:inventory_asset_change", args=[asset.pk]),
        **(extra or {}),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _asset(model_admin, request, object_id) -> Asset:
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    try:
        return model_admin.get_queryset(request).get(pk=int(object_id))
    except (ValueError, Asset.DoesNotExist):
        raise Http404("No asset with that id.") from None


def _back(asset) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:inventory_asset_change", args=[asset.pk]))


def _refused(request, error: LifecycleError) -> None:
    messages.error(request, f"{error} Nothing was changed.")


def move_view(model_admin, request, object_id):
    asset = _asset(model_admin, request, object_id)
    posted = request.method == "POST"
    wanted = request.GET.get("to", "")
    initial = {"to": wanted} if wanted in ACTION_TARGETS else {}
    if asset.center_id is not None:
        initial["center"] = asset.center_id
    form = limit_choices(TransitionForm(request.POST if posted else None, initial=initial), scope_for(request))
    if posted and form.is_valid():
        data = form.cleaned_data
        to = Status(data["to"])
        try:
            events = lifecycle.transition(
                asset.serial_number,
                to=to,
                occurred_at=data["occurred_at"],
                source=Source.ADMIN,
                actor=request.user,
                center=data["center"] if to == Status.AT_CIRCULAR_CENTER else None,
                note=data["note"],
            )
        except LifecycleError as error:
            _refused(request, error)
        else:
            model_admin.log_change(request, asset, f"Moved to {to.label}.")
            carried = len(events) - 1
            text = f"{asset.serial_number} is now {to.label}."
            if carried > 0:
                text += f" {carried} component(s) installed in it moved with it."
            messages.success(request, text)
            return _back(asset)
    return _page(
        model_admin,
        request,
        asset,
        title=f"Move {asset.serial_number}",
        form=form,
        submit_label="Move",
        intro=f"Now {asset.get_status_display()}. Everything installed in it moves with it.",
    )


def install_parts_view(model_admin, request, object_id):
    host = _asset(model_admin, request, object_id)
    posted = request.method == "POST"
    form = InstallPartsForm(request.POST if posted else None)
    candidates = movable_here(host, model_admin.get_queryset(request))
    form.fields["parts"].queryset = candidates
    if posted and form.is_valid():
        data = form.cleaned_data
        visible = set(
            model_admin.get_queryset(request)
            .filter(serial_number__in=data["serials"])
            .values_list("serial_number", flat=True)
        )
        try:
            with transaction.atomic():  # all the parts, or none
                events = []
                for serial in data["serials"]:
                    if serial not in visible:  # outside the scope reads as nowhere
                        raise AssetNotFound(serial)
                    events += lifecycle.install(
                        serial,
                        parent=host.serial_number,
                        occurred_at=data["occurred_at"],
                        source=Source.ADMIN,
                        actor=request.user,
                        note=data["note"],
                    )
        except LifecycleError as error:
            _refused(request, error)
        else:
            model_admin.log_change(request, host, f"Installed {', '.join(data['serials'])}.")
            messages.success(request, f"Installed {len(data['serials'])} part(s) in {host.serial_number}.")
            return _back(host)
    # Only the first MAX_CHOICES are listed; scanning reaches the rest.
    listed = list(candidates.values_list("pk", flat=True)[:MAX_CHOICES])
    form.fields["parts"].queryset = candidates.filter(pk__in=listed)
    return _page(
        model_admin,
        request,
        host,
        title=f"Install parts in {host.serial_number}",
        form=form,
        submit_label="Install",
        intro=f"Parts not installed in anything, at {lifecycle.location(host)}, in stock or "
        f"{host.get_status_display().lower()}. A part in stock takes the server's state. All of them are "
        "installed, or none.",
    )


def install_into_view(model_admin, request, object_id):
    part = _asset(model_admin, request, object_id)
    posted = request.method == "POST"
    form = InstallIntoForm(request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        serial = data["parent"]
        try:
            if not model_admin.get_queryset(request).filter(serial_number=serial).exists():
                raise AssetNotFound(serial)
            lifecycle.install(
                part.serial_number,
                parent=serial,
                occurred_at=data["occurred_at"],
                source=Source.ADMIN,
                actor=request.user,
                note=data["note"],
            )
        except LifecycleError as error:
            _refused(request, error)
        else:
            model_admin.log_change(request, part, f"Installed in {serial}.")
            messages.success(request, f"Installed {part.serial_number} in {serial}.")
            return _back(part)
    hosts = hosts_for(part, model_admin.get_queryset(request)).values_list("serial_number", flat=True)
    return _page(
        model_admin,
        request,
        part,
        title=f"Install {part.serial_number} in a server",
        form=form,
        submit_label="Install",
        intro=f"A server at {lifecycle.location(part)}. The part takes the server's state.",
        extra={"datalist_id": "install-into-candidates", "datalist": list(hosts[:MAX_CHOICES])},
    )


def tool_links(model_admin, request, asset: Asset) -> list[tuple[str, str]]:
    """The buttons above the asset's page (none without the right to change assets)."""
    if asset is None or not model_admin.has_change_permission(request, asset):
        return []
    links = next_state_buttons(asset)
    if asset.status in lifecycle.PART_MOVE_STATUSES:
        if asset.part_model.category == Category.SERVER:
            links.append(("Install parts…", reverse("admin:inventory_asset_parts", args=[asset.pk])))
        elif asset.parent_id is None:
            links.append(("Install in a server…", reverse("admin:inventory_asset_install", args=[asset.pk])))
    return links
