"""Admin actions that move the selected assets through the lifecycle.

Each asks for a small form on an intermediate page, then calls ``inventory.lifecycle``
once per selected asset, each call its own transaction: one refusal does not hold back
the others. Refusals are reported per asset, the applied ones counted.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse

from .. import lifecycle
from ..choices import Source, Status
from ..errors import LifecycleError
from ..scopes import scope_for
from .forms import RemoveForm, TransitionForm
from .scoping import limit_choices

# Past this many refusals the rest are summed up in one message, not listed one by one.
MAX_ERROR_MESSAGES = 50
PREVIEW_ROWS = 20
FORM_PREFIX = "lifecycle"


@admin.action(description="Move selected assets to another state…", permissions=["change"])
def move_through_lifecycle(modeladmin, request, queryset):
    form = _bound(TransitionForm, request)
    if not (form.is_bound and form.is_valid()):
        return _intermediate_page(modeladmin, request, queryset, form, "move_through_lifecycle", "Move assets")
    data = form.cleaned_data
    to = Status(data["to"])
    top_level, carried = _top_level(queryset)

    def move(serial):
        return lifecycle.transition(
            serial,
            to=to,
            occurred_at=data["occurred_at"],
            source=Source.ADMIN,
            actor=request.user,
            center=data["center"] if to == Status.AT_CIRCULAR_CENTER else None,
            note=data["note"],
        )

    applied, events = _each(request, top_level, move)
    if applied:
        components = events - applied
        text = f"Moved {applied} asset(s) to {to.label}."
        if components:
            text += f" {components} component(s) installed in them moved with them."
        messages.success(request, text)
    if carried:
        messages.info(request, f"{carried} selected component(s) were left to move with their selected parents.")
    return None


@admin.action(description="Remove selected components from their parents…", permissions=["change"])
def remove_from_parent(modeladmin, request, queryset):
    form = _bound(RemoveForm, request)
    if not (form.is_bound and form.is_valid()):
        return _intermediate_page(modeladmin, request, queryset, form, "remove_from_parent", "Remove from parent")
    data = form.cleaned_data
    serials = list(queryset.select_related(None).order_by("serial_number").values_list("serial_number", flat=True))

    def remove(serial):
        return [
            lifecycle.remove(
                serial, occurred_at=data["occurred_at"], source=Source.ADMIN, actor=request.user, note=data["note"]
            )
        ]

    applied, _ = _each(request, serials, remove)
    if applied:
        messages.success(request, f"Removed {applied} component(s) from their parents.")
    return None


def _bound(form_class, request):
    """The action's form; a center it offers and accepts lies in the user's scope."""
    if "apply" in request.POST:
        return limit_choices(form_class(request.POST, prefix=FORM_PREFIX), scope_for(request))
    return limit_choices(form_class(prefix=FORM_PREFIX), scope_for(request))


def _top_level(queryset) -> tuple[list[str], int]:
    """The selected serial numbers, less the components whose parent is selected too.

    A component moves with its parent; asking for it again would only be refused.
    """
    rows = list(queryset.select_related(None).order_by("serial_number").values_list("pk", "serial_number", "parent"))
    selected = {pk for pk, _, _ in rows}
    top_level = [serial for _, serial, parent in rows if parent not in selected]
    return top_level, len(rows) - len(top_level)


def _each(request, serials: list[str], call: Callable[[str], list]) -> tuple[int, int]:
    """Call ``call`` for each serial number in its own transaction; report refusals.

    Returns how many calls applied and how many events they wrote.
    """
    applied = events = refused = 0
    for serial in serials:
        try:
            with transaction.atomic():
                events += len(call(serial))
        except LifecycleError as error:
            refused += 1
            if refused <= MAX_ERROR_MESSAGES:
                messages.error(request, f"{serial}: {error}")
        else:
            applied += 1
    if refused > MAX_ERROR_MESSAGES:
        messages.error(request, f"…and {refused - MAX_ERROR_MESSAGES} more refused; nothing was changed for them.")
    return applied, events


def _intermediate_page(modeladmin, request, queryset, form, action: str, title: str):
    opts = modeladmin.model._meta
    count = queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "form": form,
        "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        "media": modeladmin.media + form.media,
        "action": action,
        "count": count,
        "preview": queryset.select_related("site", "parent")[:PREVIEW_ROWS],
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/inventory/asset/lifecycle_action.html", context)
