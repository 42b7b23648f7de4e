"""Token authentication that reads the caller's access scope in the same query.

An integrating system sends ``Authorization: Token <key>`` with every request; loading the
user's ``AccessScope`` with the token (a LEFT JOIN) saves every API request a query.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__access_scope").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
