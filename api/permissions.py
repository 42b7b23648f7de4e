"""Who may do what through the API.

Every endpoint but the schema and its docs needs an authenticated caller (401 otherwise).
Reads need the model's ``view`` permission and writes its ``add``/``change``/``delete``
permission (Django model permissions, granted through the staff groups of
``assetlife.roles``). Actions that are not plain CRUD name what they need:

* a viewset's ``action_permissions = {"transition": [...]}`` per action;
* an ``APIView``'s ``required_permissions = [...]`` for every method.

Rows outside the caller's access scope are filtered out of the querysets
(``inventory.scopes``), so they answer 404, never 403. Each view names its
``scope_policy``: a caller with an access scope writes only through ``SCOPED`` ones (the
sites and centers of its scope, part models and targets are read-only to it), 403
otherwise, whatever the row named (so the answer tells nothing of it).
"""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions

from inventory.scopes import scope_for, writable


class ModelPermissions(DjangoModelPermissions):
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method not in SAFE_METHODS and not writable(getattr(view, "scope_policy", None), scope_for(request)):
            return False
        explicit = self.explicit_permissions(request, view)
        if explicit is not None:
            return request.user.has_perms(explicit)
        return super().has_permission(request, view)

    @staticmethod
    def explicit_permissions(request, view) -> list[str] | None:
        action = getattr(view, "action", None)
        per_action = getattr(view, "action_permissions", None) or {}
        if action in per_action:
            return list(per_action[action])
        required = getattr(view, "required_permissions", None)
        if required is not None:
            # Also for OPTIONS (and the browsable API's forms, which ask as OPTIONS): such
            # a view (the metrics) has no queryset for the model permissions to read.
            return list(required)
        return None  # OPTIONS of a viewset: its queryset's model permissions
