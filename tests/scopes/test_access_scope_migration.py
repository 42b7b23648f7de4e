"""``AccessScope`` moved from the API app to the inventory: the rows, their sites and
centers, and the permissions granted on them survive the migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("api", "0001_initial"), ("inventory", "0006_partial_indexes")]
AFTER = [("api", "0002_access_scope_moved_to_inventory"), ("inventory", "0007_access_scope")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Later tests need every migration applied again, whatever this one left."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_scopes_and_their_permissions_survive_the_move_to_the_inventory(back_to_the_latest_schema):
    old = migrate(BEFORE)
    User, Site = old.get_model("auth", "User"), old.get_model("inventory", "Site")
    Center, Scope = old.get_model("circularity", "CircularCenter"), old.get_model("api", "AccessScope")
    ContentType, Permission = old.get_model("contenttypes", "ContentType"), old.get_model("auth", "Permission")
    user = User.objects.create(username="vendor-portal")
    scope = Scope.objects.create(user=user, note="vendor")
    scope.sites.add(Site.objects.create(code="AMS05", name="A", region="r", country="NL"))
    scope.centers.add(Center.objects.create(code="AMS-CC", name="C"))
    content_type, _ = ContentType.objects.get_or_create(app_label="api", model="accessscope")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="change_accessscope", defaults={"name": "Can change"}
    )
    user.user_permissions.add(permission)

    new = migrate(AFTER)
    moved = new.get_model("inventory", "AccessScope").objects.get(user__username="vendor-portal")
    assert (moved.note, [s.code for s in moved.sites.all()], [c.code for c in moved.centers.all()]) == (
        "vendor",
        ["AMS05"],
        ["AMS-CC"],
    )
    granted = new.get_model("auth", "User").objects.get(username="vendor-portal").user_permissions.get()
    assert (granted.content_type.app_label, granted.codename) == ("inventory", "change_accessscope")
