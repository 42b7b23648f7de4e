"""Helpers for the circularity admin tests: staff in their shipped roles, the places
assets sit, and the shape of the admin's forms and actions when posted."""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group

from inventory.choices import Category, Status
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory, UserFactory

OPERATOR = "Data-center operator"
TECHNICIAN = "Circular-center technician"
ANALYST = "Sustainability analyst"


def staff(role: str | None = None, **kwargs):
    """A staff user in one of the groups the migrations ship (or a superuser)."""
    # An unusable password: the tests log in with force_login, and hashing one is slow.
    user = UserFactory(is_staff=True, password="!", **kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(client, role: str | None = None, **kwargs):
    user = staff(role, **kwargs)
    client.force_login(user)
    return user


def moment(name: str, when: dt.datetime) -> dict:
    """The two inputs of an admin split date-time field."""
    return {f"{name}_0": when.strftime("%Y-%m-%d"), f"{name}_1": when.strftime("%H:%M:%S")}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def choose_action(client, url: str, action: str, objects, **data):
    """Pick an action on the changelist: Django answers its intermediate form."""
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "index": 0, **data})


def apply_action(client, url: str, action: str, objects, *, follow: bool = True, **data):
    """Submit the intermediate form of an action (what its page posts back)."""
    payload = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "apply": "yes", **data}
    return client.post(url, payload, follow=follow)


def campus(code: str = "AMS05", center_code: str = "CC-AMS"):
    """A site and the circular center that serves it."""
    site = SiteFactory(code=code)
    return site, CircularCenterFactory(code=center_code, sites=[site])


def at_center(center, site, *, category=Category.SERVER, **kwargs):
    part_model = kwargs.pop("part_model", None) or PartModelFactory(category=category)
    return AssetFactory(status=Status.AT_CIRCULAR_CENTER, center=center, site=site, part_model=part_model, **kwargs)


def server_with_drives(center, site, drives: int = 2):
    """A server at a center with data-bearing SSDs installed in it."""
    server = at_center(center, site)
    ssd_model = PartModelFactory(category=Category.SSD, mass_kg="0.100")
    parts = [at_center(center, site, part_model=ssd_model, parent=server) for _ in range(drives)]
    return server, parts
