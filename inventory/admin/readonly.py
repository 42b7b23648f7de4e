"""Admin pages of records of what happened: shown, never added, edited or deleted."""


class ReadOnlyAdminMixin:
    """A record of what happened: shown, never edited or deleted in the admin (superusers
    included): such records are written only by the services that decide them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
