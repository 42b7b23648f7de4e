"""A real streaming replica for the tests of this folder (PostgreSQL only).

``replica_cluster`` (once per session) copies the test database's PostgreSQL cluster with
``pg_basebackup -R`` to ``TEST_REPLICA_PORT`` (default 5433) and removes it at the end.
Physical replication streams the whole cluster, so the ``test_…`` database pytest-django
creates on the primary is on the replica too.

``replica`` (per test) adds the ``replica`` database alias, as ``DATABASE_REPLICA_URL``
would, pointing at that database on the replica: a connection of its own, not a test
mirror. Django's test cases allow only the aliases they were created with and would
flush every non-mirror alias, the read-only replica included; so these tests take the
database as pytest-django's own fixtures do underneath (``django_db_blocker``; the test
database is made here if no other test of the session asked pytest-django for it),
commit what they write (a replica only ever sees committed rows), and flush the
primary's test database afterwards as a ``TransactionTestCase`` does.

When the replica cannot be made (the primary refuses replication connections, say) the
tests are skipped saying why, unless ``TEST_REPLICA_REQUIRED`` is set, as ``.ci/run``
does: there they fail.
"""

from __future__ import annotations

import os

import dj_database_url
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

from assetlife.replica import REPLICA
from assetlife.settings import replica_database

from .cluster import Primary, ReplicaCluster, ReplicaUnavailable


@pytest.fixture(scope="session")
def replica_cluster():
    default = django_settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: the replica is a copy of DATABASE_URL's cluster")
    primary = Primary(
        host=default["HOST"] or "127.0.0.1",
        port=int(default["PORT"] or 5432),
        user=default["USER"] or "postgres",
        password=default["PASSWORD"] or "",
    )
    port = int(os.environ.get("TEST_REPLICA_PORT", "5433"))
    cluster = None
    try:
        cluster = ReplicaCluster(primary, port)
        cluster.create()
    except ReplicaUnavailable as error:
        if cluster is not None:
            cluster.remove()
        if os.environ.get("TEST_REPLICA_REQUIRED"):
            pytest.fail(f"no streaming replica (TEST_REPLICA_REQUIRED is set): {error}")
        pytest.skip(f"no streaming replica could be made: {error}")
    yield cluster
    cluster.remove()


@pytest.fixture(scope="session")
def test_database(django_db_setup, django_db_blocker):
    """The primary's test database: pytest-django's, or made here (never the developer's)."""
    configured = dj_database_url.parse(django_settings.DATABASE_URL)["NAME"]
    if connections["default"].settings_dict["NAME"] != configured:
        yield  # pytest-django made it for the session's other database tests
        return
    with django_db_blocker.unblock():
        made = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(made, verbosity=0)


@pytest.fixture
def replica(replica_cluster, test_database, django_db_blocker, settings):
    """The ``replica`` alias for one test; replay resumed, the server running and the
    primary's test database emptied afterwards."""
    with django_db_blocker.unblock():
        yield from _with_replica_alias(replica_cluster, settings)
        call_command("flush", database="default", interactive=False, verbosity=0)
    # Pins are kept per user id, and the flush starts ids again at 1.
    cache.clear()


def _with_replica_alias(replica_cluster, settings):
    settings.REPLICA_CHECK_SECONDS = 0  # measure at every read: the tests change the replica's state
    settings.REPLICA_MAX_LAG_SECONDS = 3600  # a paused replica is still used unless a test says otherwise
    settings.REPLICA_PIN_SECONDS = 30
    default = connections["default"].settings_dict
    url = f"postgres://{default['USER']}@127.0.0.1:{replica_cluster.port}/{default['NAME']}"
    database = replica_database(url)
    database["TEST"] = {}  # a real second connection, not a test mirror of default
    previous = django_settings.DATABASES.get(REPLICA)
    django_settings.DATABASES[REPLICA] = connections.configure_settings(
        {"default": connections.settings["default"], REPLICA: database}
    )[REPLICA]
    replica_cluster.wait_caught_up()  # the test database and the shipped rows are there
    try:
        yield replica_cluster
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        if previous is None:
            del django_settings.DATABASES[REPLICA]
        else:
            django_settings.DATABASES[REPLICA] = previous
        if not replica_cluster.running:
            replica_cluster.start()
        replica_cluster.resume_replay()
