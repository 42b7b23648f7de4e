"""The "Import CSV" page of the asset list: an upload form around ``inventory.imports``."""

import io

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from ..imports import COLUMNS, REQUIRED_COLUMNS, ImportRefused, import_assets
from ..scopes import scope_for
from .forms import ImportForm

# A page lists this many problems; the command lists them all.
MAX_ERRORS_SHOWN = 500


def import_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        stream = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
        try:
            result = import_assets(stream, name=upload.name, actor=request.user, scope=scope_for(request))
        except ImportRefused as refused:
            lines = len({error.line for error in refused.errors})
            context = {
                "refused": f"{upload.name}: {len(refused.errors)} problem(s) on {lines} line(s).",
                "errors": refused.errors[:MAX_ERRORS_SHOWN],
                "more_errors": max(0, len(refused.errors) - MAX_ERRORS_SHOWN),
            }
        else:
            states = ", ".join(f"{count} {status}" for status, count in sorted(result.by_status.items()))
            messages.success(
                request,
                f"Imported {result.created} asset(s) from {upload.name} ({states or 'none'}); "
                f"{result.installed} installed in a parent.",
            )
            return HttpResponseRedirect(reverse("admin:inventory_asset_changelist"))
        finally:
            stream.detach()  # the upload closes its own file
    opts = model_admin.model._meta
    context.update(
        {
            **model_admin.admin_site.each_context(request),
            "title": "Import assets from CSV",
            "opts": opts,
            "adminform": helpers.AdminForm(form, [(None, {"fields": ["file"]})], {}),
            "columns": COLUMNS,
            "required": REQUIRED_COLUMNS,
        }
    )
    return TemplateResponse(request, "admin/inventory/asset/import.html", context)
