"""Who may do what through the API."""

from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions for writes, and for reads too: no anonymous data.

    Reading needs only an authenticated user (``view`` permission is checked per model
    where a viewset asks for it); writing needs the model's add/change/delete permission.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
