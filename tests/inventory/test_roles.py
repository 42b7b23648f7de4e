"""The staff groups the data migration ships, and what each may do in the inventory."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from assetlife.roles import ROLES

pytestmark = pytest.mark.django_db

OPERATOR, TECHNICIAN, ANALYST = "Data-center operator", "Circular-center technician", "Sustainability analyst"


def permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_migration_creates_the_three_staff_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {OPERATOR, TECHNICIAN, ANALYST}
    assert set(ROLES) == {OPERATOR, TECHNICIAN, ANALYST}


def installed(model_label: str) -> bool:
    try:
        apps.get_model(model_label)
    except LookupError:
        return False
    return True


def test_each_group_has_exactly_the_permissions_its_role_names_on_the_models_that_exist():
    for name, grants in ROLES.items():
        expected = {
            f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
            for label, actions in grants.items()
            if installed(label)
            for action in actions
        }
        assert permissions(name) == expected, name


def test_operators_create_and_change_assets_but_do_not_delete_them():
    granted = permissions(OPERATOR)
    assert {"inventory.view_asset", "inventory.add_asset", "inventory.change_asset"} <= granted
    assert "inventory.delete_asset" not in granted


def test_technicians_move_assets_but_do_not_create_them():
    granted = permissions(TECHNICIAN)
    assert {"inventory.view_asset", "inventory.change_asset"} <= granted
    assert "inventory.add_asset" not in granted


def test_analysts_only_view_the_inventory():
    inventory = {p for p in permissions(ANALYST) if p.startswith("inventory.")}
    assert inventory == {
        "inventory.view_site",
        "inventory.view_partmodel",
        "inventory.view_asset",
        "inventory.view_lifecycleevent",
    }


@pytest.mark.parametrize("group_name", [OPERATOR, TECHNICIAN, ANALYST])
def test_nobody_may_change_or_delete_a_lifecycle_event(group_name):
    granted = permissions(group_name)
    assert "inventory.change_lifecycleevent" not in granted
    assert "inventory.delete_lifecycleevent" not in granted


@pytest.mark.parametrize("group_name", [OPERATOR, TECHNICIAN, ANALYST])
def test_no_role_deletes_inventory_records(group_name):
    assert not {p for p in permissions(group_name) if p.startswith("inventory.delete_")}
