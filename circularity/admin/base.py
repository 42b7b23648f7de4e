"""What the circularity admin views share: domain refusals as messages, all-or-nothing batches,
and the one template every form page of a service uses.

The views stay thin: a form parses the input, a service of ``circularity`` or
``inventory.lifecycle`` decides and writes, and a refusal (a ``LifecycleError`` that names
the assets) is shown to the person as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.db import transaction
from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from inventory.errors import BatchRefused, LifecycleError

FORM_PAGE_TEMPLATE = "admin/circularity/form_page.html"


def correlated_count(queryset, key: str):
    """A correlated ``COUNT`` subquery: no join fan-out when a list shows several counts."""
    counted = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def refusal_messages(error: LifecycleError) -> list[str]:
    """One plain sentence per refused asset (a refused batch lists each of its items)."""
    if isinstance(error, BatchRefused):
        return [message for item in error.errors.values() for message in refusal_messages(item)]
    return [str(error)]


def report_refusals(request, errors: Iterable[LifecycleError], *, nothing_written: bool = True) -> None:
    errors = list(errors)
    for error in errors:
        for message in refusal_messages(error):
            messages.error(request, message)
    if nothing_written and errors:
        messages.warning(request, "Nothing was recorded: correct the refused items and try again.")


def all_or_nothing(items: Iterable[Any], apply: Callable[[Any], Any]) -> tuple[list[Any], list[LifecycleError]]:
    """Apply a service to every item in one transaction, or to none.

    Each item runs in a savepoint, so every refusal is collected (the person sees all of
    them at once, not the first); if any item was refused the whole batch is rolled back.
    """
    results, errors = [], []
    with transaction.atomic():
        for item in items:
            try:
                with transaction.atomic():
                    results.append(apply(item))
            except LifecycleError as error:
                errors.append(error)
        if errors:
            transaction.set_rollback(True)
            results = []
    return results, errors


def render_form_page(
    model_admin: admin.ModelAdmin,
    request,
    *,
    title: str,
    form,
    submit_label: str,
    intro: str = "",
    selection: Iterable[tuple[Any, str]] = (),
    selection_heading: str = "",
    action: str | None = None,
    obj=None,
    extra: dict | None = None,
) -> TemplateResponse:
    """A service's form in the admin's look: breadcrumbs, the form, what it applies to.

    ``selection`` lists ``(pk, label)`` of the rows the form applies to. ``action`` names
    the admin action when the page is the intermediate step of a bulk action: the
    selected primary keys are posted back with it.
    """
    selection = list(selection)
    opts = model_admin.opts
    if obj is not None:
        cancel_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    else:
        cancel_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "form": form,
        "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        "media": model_admin.media + form.media,
        "submit_label": submit_label,
        "intro": intro,
        "selection": selection,
        "selection_heading": selection_heading or f"{len(selection)} selected",
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "original": obj,
        "cancel_url": cancel_url,
        **(extra or {}),
    }
    return TemplateResponse(request, FORM_PAGE_TEMPLATE, context)


def run_bulk_action(
    model_admin: admin.ModelAdmin,
    request,
    items: list[Any],
    *,
    form,
    apply: Callable[[Any, dict], Any],
    log: Callable[[Any, Any], None],
    done_message: Callable[[list[Any], dict], str],
    page: dict[str, Any],
) -> TemplateResponse | None:
    """A bulk admin action through its form page, all-or-nothing.

    With a valid form, ``apply(item, cleaned_data)`` runs for every item
    (``all_or_nothing``); when none is refused each item is logged with ``log(item,
    result)``, the changelist shows ``done_message(results, cleaned_data)``, and ``None`` is
    returned. Otherwise (a first visit, a bad form, refusals) the form page is rendered
    with ``page`` (``render_form_page``'s arguments), with the refusals above it.
    """
    if form.is_valid():
        data = form.cleaned_data
        done, errors = all_or_nothing(items, lambda item: apply(item, data))
        if not errors:
            for item, result in zip(items, done, strict=True):
                log(item, result)
            model_admin.message_user(request, done_message(done, data), messages.SUCCESS)
            return None
        report_refusals(request, errors)
    return render_form_page(model_admin, request, form=form, **page)


def moment(value) -> str:
    """A date and time as the centers write it: 2022-03-15 14:05 (local time), or —."""
    if value is None:
        return "—"
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def submitted(request) -> bool:
    """Whether the form page itself was posted (not the changelist's action form)."""
    return request.method == "POST" and request.POST.get("apply") == "yes"


class CircularityAdmin(admin.ModelAdmin):
    """The circularity admin's look (lists on one line per row, the triage buttons)."""

    class Media:
        css = {"all": ["circularity/admin.css"]}
