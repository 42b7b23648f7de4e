"""Fixtures of the API tests: clients with and without permissions, and a small fleet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.choices import Category, Status
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory, UserFactory

LIFECYCLE = ("inventory.change_asset", "inventory.add_lifecycleevent")


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def grant(user, *perms: str):
    """Give ``user`` the named permissions (``app_label.codename``); return it, reloaded."""
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)  # a fresh object: no stale permission cache


def token_client(user) -> APIClient:
    """A client that authenticates as a real integrating system does: with a token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made by the dozen here: a deliberately slow hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api(admin_user):
    """A superuser's token client: may do everything."""
    return token_client(admin_user)


@pytest.fixture
def client_with(db):
    """``client_with(*perms)``: a token client of a fresh user holding exactly those permissions."""

    def make(*perms: str, username: str | None = None, groups: tuple[str, ...] = ()):
        user = UserFactory(**({"username": username} if username else {}))
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        user = grant(user, *perms)
        client = token_client(user)
        client.user = user
        return client

    return make


@pytest.fixture
def site(db):
    return SiteFactory(code="AMS05")


@pytest.fixture
def other_site(db):
    return SiteFactory(code="DUB07")


@pytest.fixture
def center(site):
    return CircularCenterFactory(code="AMS-CC", sites=[site])


@pytest.fixture
def server_model(db):
    return PartModelFactory(
        manufacturer="Contoso", model_number="R740", category=Category.SERVER, mass_kg="20.500", embodied_kgco2e="1200"
    )


@pytest.fixture
def ssd_model(db):
    return PartModelFactory(manufacturer="Fabrikam", model_number="SSD-1T", category=Category.SSD, mass_kg="0.050")


@pytest.fixture
def server(site, server_model):
    return AssetFactory(serial_number="SRV-001", part_model=server_model, site=site, status=Status.DEPLOYED)


@pytest.fixture
def drive(server, ssd_model):
    return AssetFactory(
        serial_number="SSD-001", part_model=ssd_model, site=server.site, parent=server, status=Status.DEPLOYED
    )
