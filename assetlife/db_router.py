"""Reads that tolerate replication lag go to a PostgreSQL read replica, when there is one.

``DATABASE_REPLICA_URL`` adds a ``replica`` database. Code that only reads and can live
with a few seconds of lag — the dashboard, the metrics endpoints, building the monthly
report — runs inside ``replica_reads()``; everything else (every service that writes,
and every read inside one) stays on ``default``. Without a replica the router does
nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


@contextmanager
def replica_reads():
    """Within this block, reads go to the replica (if configured)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and has_replica():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as default

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
