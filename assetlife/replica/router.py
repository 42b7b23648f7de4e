"""The database router: reads inside ``on_replica`` go to the replica; all else to ``default``."""

from __future__ import annotations

from .config import REPLICA
from .reads import read_alias


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return None  # always the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
