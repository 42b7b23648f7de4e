"""The asset pages: find an asset by serial number, see what is in it and what happened to it.

Status, parent, site and center are read-only here: ``inventory.lifecycle`` is their only
writer, reached through the actions of the asset list. A new asset is registered through
``inventory.registration`` so its history starts with an event.
"""

from django.contrib import admin
from django.db.models import Q
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html

from .. import lifecycle
from ..choices import TERMINAL_STATUSES, Source, Status
from ..models import Asset, LifecycleEvent
from ..registration import register_assets
from ..scopes import scope_for
from . import asset_tools
from .actions import move_through_lifecycle, remove_from_parent
from .csv_import import import_view
from .forms import AssetAddForm, AssetIdentityForm
from .paginator import IdsFirstPaginator
from .scoping import ScopedAdminMixin

# Identity fields: the only ones a person edits on an existing asset.
EDITABLE_FIELDS = ("serial_number", "asset_tag", "part_model")
LIFECYCLE_FIELDS = ("status", "next_states", "site", "center", "installed_in", "deployed_at", "decommissioned_at")
# A pasted list of serial numbers is searched at once, up to this many.
MAX_SEARCH_TERMS = 200


class InstalledFilter(admin.SimpleListFilter):
    title = "position"
    parameter_name = "installed"

    def lookups(self, request, model_admin):
        return [("no", "Top-level (installed in nothing)"), ("yes", "Installed in another asset")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(parent__isnull=True)
        if self.value() == "yes":
            return queryset.filter(parent__isnull=False)
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ComponentInline(ReadOnlyInline):
    model = Asset
    fk_name = "parent"
    verbose_name = "installed component"
    verbose_name_plural = "installed in this asset"
    fields = ("serial_number", "asset_tag", "part_model", "category", "status")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("part_model").order_by("serial_number")

    @admin.display(description="category")
    def category(self, obj):
        return obj.part_model.get_category_display()


class EventInline(ReadOnlyInline):
    model = LifecycleEvent
    fk_name = "asset"
    verbose_name = "lifecycle event"
    verbose_name_plural = "history (newest first)"
    fields = (
        "occurred_at",
        "action",
        "from_status",
        "to_status",
        "parent",
        "location",
        "source",
        "actor",
        "note",
        "external_id",
        "recorded_at",
    )
    readonly_fields = fields
    ordering = ("-occurred_at", "-id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "parent")


@admin.register(Asset)
class AssetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = AssetIdentityForm
    list_display = ("serial_number", "asset_tag", "part_model", "category", "status", "site", "center", "installed_in")
    list_select_related = ("part_model", "site", "center", "parent")
    list_filter = ("status", "site", "part_model__category", "part_model", InstalledFilter)
    search_fields = ("serial_number__startswith", "asset_tag__startswith")
    search_help_text = (
        "Serial number or asset tag, whole or its beginning. Paste several, separated by spaces or commas, "
        "to find them all."
    )
    show_full_result_count = False
    list_per_page = 100
    paginator = IdsFirstPaginator  # page 300 costs about what page 1 does
    autocomplete_fields = ("part_model", "site")
    actions = (move_through_lifecycle, remove_from_parent)
    add_fieldsets = ((None, {"fields": ("serial_number", "asset_tag", "part_model", "site", "status", "deployed_at")}),)
    change_fieldsets = (
        (None, {"fields": EDITABLE_FIELDS}),
        (
            "Lifecycle",
            {
                "fields": LIFECYCLE_FIELDS,
                "description": "Changed only by the buttons above (one per next state), the lifecycle actions of "
                "the asset list and the circular-center pages; every change is an event in the history below.",
            },
        ),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    class Media:
        css = {"all": ["inventory/admin.css"]}

    # --- the list ------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        # Nine columns need the width: at 1,400 px the app sidebar (about 300 px) pushed the
        # last three into a sideways scroll. The sidebar stays on every other page; Home and
        # the breadcrumbs lead to the apps from here.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """Prefix matches on serial number and asset tag, any of the terms.

        ``startswith`` (``LIKE 'SN12%'``) can use the unique indexes (on PostgreSQL these
        columns use the "C" collation, so the unique index serves prefix search); a
        case-insensitive lookup could not. Serial numbers are mostly upper case, so each term is also tried upper-cased.
        """
        terms = search_term.replace(",", " ").split()[:MAX_SEARCH_TERMS]
        if not terms:
            return queryset, False
        condition = Q()
        for term in terms:
            for variant in {term, term.upper()}:
                condition |= Q(serial_number__startswith=variant) | Q(asset_tag__startswith=variant)
        return queryset.filter(condition), False

    @admin.display(description="category", ordering="part_model__category")
    def category(self, obj):
        return obj.part_model.get_category_display()

    @admin.display(description="installed in", ordering="parent__serial_number")
    def installed_in(self, obj):
        if obj.parent_id is None:
            return "—"
        url = reverse("admin:inventory_asset_change", args=[obj.parent_id])
        return format_html('<a href="{}">{}</a>', url, obj.parent.serial_number)

    # --- the page of one asset -------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        return self.change_fieldsets if obj is not None else self.add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*LIFECYCLE_FIELDS, "created_at", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AssetAddForm
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = scope_for(request)  # a class of its own, made for this request
        return form

    def get_inlines(self, request, obj):
        return (ComponentInline, EventInline) if obj is not None else ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("part_model", "site", "center", "parent")

    @admin.display(description="next states")
    def next_states(self, obj):
        if obj.status == Status.MISSING:
            return "the state it was in when it went missing (found again)"
        if obj.status in TERMINAL_STATUSES:
            return "none: a terminal state"
        labels = [Status(state).label for state in sorted(lifecycle.allowed_next(obj.status))]
        text = ", ".join(labels)
        if obj.status != Status.AT_CIRCULAR_CENTER:
            return text
        try:  # the circular center's triage page, where dispositions are recorded
            url = reverse("admin:circularity_assetatcenter_change", args=[obj.pk])
        except NoReverseMatch:
            return f"{text}, a disposition (reuse, resale, recycle, …) by the circular center"
        return format_html('{}, or <a href="{}">a disposition at the circular center</a>', text, url)

    def save_model(self, request, obj, form, change):
        if not change:
            register_assets([obj], source=Source.ADMIN, actor=request.user, notes=["Created in the admin"])
            return
        # Write only the identity fields the form changed: a full save would write back the
        # state and parent as they were loaded, over a lifecycle change made meanwhile.
        changed = [name for name in form.changed_data if name in EDITABLE_FIELDS]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])

    def has_delete_permission(self, request, obj=None):
        # An asset leaves the fleet by a disposition, never by deletion; its history stays.
        return False

    # --- CSV import -------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"

        def tool(view):
            return self.admin_site.admin_view(lambda request, object_id: view(self, request, object_id))

        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{prefix}_import"),
            path("<path:object_id>/move/", tool(asset_tools.move_view), name=f"{prefix}_move"),
            path("<path:object_id>/install-parts/", tool(asset_tools.install_parts_view), name=f"{prefix}_parts"),
            path("<path:object_id>/install-into/", tool(asset_tools.install_into_view), name=f"{prefix}_install"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        asset = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "asset_tools": asset_tools.tool_links(self, request, asset)}
        return super().change_view(request, object_id, form_url, extra_context)

    def import_view(self, request):
        return import_view(self, request)
