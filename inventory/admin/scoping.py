"""Access scopes in the admin: every ModelAdmin says how a scoped user meets its rows.

A user limited to some sites and centers (``inventory.scopes``) sees and changes only
what lies there, and every page reads as if nothing else existed. Each ModelAdmin of the
project mixes in one of three mixins, and so names its policy (``scope_policy``, from
``inventory.scopes``; a test fails for a ModelAdmin without one):

* ``ScopedAdminMixin`` (``SCOPED``): rows that lie somewhere (assets, events, the triage
  queue, shipments, sanitizations, dispositions, packaging records, sites and centers).
  Lists, searches, filters, change, history and delete pages, actions and autocompletes
  read ``get_queryset``, which keeps the rows in the scope: a row outside it is a row
  that does not exist (Django's "doesn't exist" redirect, or 404 on a custom page). An
  action posted with an id that is not in the list (outside the scope, or nowhere) is
  refused whole, as Django refuses an empty selection: nothing is changed. With
  ``scope_policy = SCOPED_VIEW`` the
  pages are view-only for scoped users (sites and centers: they define the scopes).
* ``SharedAdminMixin`` (``SHARED``): organisation-wide data that lies nowhere (part
  models, targets, monthly snapshots): readable in full, changed by unscoped staff only.
* ``OrganisationAdminMixin`` (``ORGANISATION``): the organisation's own pages (compliance
  reports, their recipients, users, groups, tokens, access scopes, job schedules): not
  listed for a scoped user, and every URL of theirs answers 404.

Every form field that picks a row of a model that lies somewhere (a site, a center, an
asset) offers, and accepts, only the rows in the scope: ``limit_choices`` for the forms
of actions and custom pages, ``formfield_for_dbfield`` for the ModelAdmin forms, and the
related list filters (registered below for every admin) list only those rows.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import Http404

from ..scopes import ORGANISATION, SCOPED, SCOPED_VIEW, SHARED, Scope, placement_of, scope_for, visible, writable


def limit_field(field, scope: Scope | None):
    """Limit a model choice field to the rows in ``scope`` (a no-op for other fields)."""
    queryset = getattr(field, "queryset", None)
    if scope is not None and queryset is not None and placement_of(queryset.model) is not None:
        field.queryset = visible(queryset, scope)
    return field


def limit_choices(form: forms.BaseForm, scope: Scope | None):
    """Limit every model choice field of ``form`` to the rows in ``scope``; return the form."""
    for field in form.fields.values():
        limit_field(field, scope)
    return form


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a site, center or asset: only those in the user's scope."""

    def field_choices(self, field, request, model_admin):
        scope = scope_for(request)
        if scope is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        placement = placement_of(field.remote_field.model)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=scope.covers(placement))


# Every admin's filter on a relation to a placed model (``list_filter = ("site",)``) is
# scoped, whoever wrote the admin.
admin.FieldListFilter.register(
    lambda field: field.remote_field is not None and placement_of(field.remote_field.model) is not None,
    ScopedRelatedFieldListFilter,
    take_priority=True,
)


class _ScopeAwareAdmin:
    """What every policy shares: the form fields of placed models are limited."""

    scope_policy: str

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return limit_field(super().formfield_for_dbfield(db_field, request, **kwargs), scope_for(request))


class ScopedAdminMixin(_ScopeAwareAdmin):
    scope_policy = SCOPED  # or SCOPED_VIEW

    def get_queryset(self, request):
        return visible(super().get_queryset(request), scope_for(request))

    def response_action(self, request, queryset):
        """Run an action only if every selected id is in the list the user may see."""
        selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        if selected and request.POST.get("select_across", "0") == "0":
            try:
                found = queryset.filter(pk__in=selected).count()
            except (ValueError, ValidationError):  # not an id at all
                found = -1
            if found != len(selected):
                message = "Items must be selected in order to perform actions on them. No items have been changed."
                self.message_user(request, message, messages.WARNING)
                return None
        return super().response_action(request, queryset)

    def has_add_permission(self, request, *args):
        return not self._read_only(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not self._read_only(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._read_only(request) and super().has_delete_permission(request, obj)

    def _read_only(self, request) -> bool:
        return not writable(self.scope_policy, scope_for(request))


class SharedAdminMixin(_ScopeAwareAdmin):
    scope_policy = SHARED

    def has_add_permission(self, request, *args):
        return scope_for(request) is None and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return scope_for(request) is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return scope_for(request) is None and super().has_delete_permission(request, obj)


class OrganisationAdminMixin(_ScopeAwareAdmin):
    scope_policy = ORGANISATION

    # Its own URLs answer 404 to a scoped user; the permissions and the queryset also keep
    # its rows out of every other view that reads them (the admin's autocomplete, which
    # lists the rows a relation may point to: an event's actor is a user).
    def has_module_permission(self, request):
        return scope_for(request) is None and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return scope_for(request) is None and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return scope_for(request) is None and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return scope_for(request) is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return scope_for(request) is None and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if scope_for(request) is None else queryset.none()

    @property
    def urls(self):
        # ``urls``, not ``get_urls()``: the custom views a subclass adds are wrapped too.
        urls = self.get_urls()
        for pattern in urls:
            pattern.callback = _not_for_scoped_users(pattern.callback)
        return urls


def _not_for_scoped_users(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if scope_for(request) is not None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


__all__ = [
    "ORGANISATION",
    "SCOPED",
    "SCOPED_VIEW",
    "SHARED",
    "OrganisationAdminMixin",
    "ScopedAdminMixin",
    "ScopedRelatedFieldListFilter",
    "SharedAdminMixin",
    "limit_choices",
    "limit_field",
]
