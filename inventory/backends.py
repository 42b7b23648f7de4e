"""Signing in to the admin: Django's model backend, loading the user's access scope with
the user (a LEFT JOIN), so applying the scope to every page costs no query of its own."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id):
        UserModel = get_user_model()
        user = UserModel._default_manager.select_related("access_scope").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
