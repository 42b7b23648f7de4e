"""Fixtures of the inventory tests."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The admin tests log users in; the production hasher's slowness is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
