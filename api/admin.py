"""Who may do what: access scopes, users, groups, API tokens, and the job schedules.

These are the organisation's own pages (``inventory.admin.scoping.OrganisationAdminMixin``):
a user with an access scope does not see them listed, and each of their URLs answers 404,
whatever their permissions, so a scoped user can neither widen their own scope nor read
anyone else's. The pages of Django's users and groups, DRF's tokens and
django-celery-beat's schedules are their own admins with that mixin added.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import TokenProxy

from inventory.admin.scoping import OrganisationAdminMixin
from inventory.models import AccessScope


@admin.register(AccessScope)
class AccessScopeAdmin(OrganisationAdminMixin, admin.ModelAdmin):
    list_display = ["user", "site_codes", "center_codes", "note"]
    search_fields = ["user__username", "user__email", "sites__code", "centers__code"]
    filter_horizontal = ["sites", "centers"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("sites", "centers")

    @admin.display(description="Sites")
    def site_codes(self, scope):
        return ", ".join(site.code for site in scope.sites.all()) or "—"

    @admin.display(description="Circular centers")
    def center_codes(self, scope):
        return ", ".join(center.code for center in scope.centers.all()) or "—"


def _for_the_organisation_only(model) -> None:
    """Re-register a third-party model's admin with ``OrganisationAdminMixin`` added."""
    if not admin.site.is_registered(model):
        return
    model_admin = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (OrganisationAdminMixin, model_admin), {}))


for _model in (get_user_model(), Group, TokenProxy, *apps.get_app_config("django_celery_beat").get_models()):
    _for_the_organisation_only(_model)
