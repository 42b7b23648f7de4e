"""The read-replica router: only reads inside ``replica_reads()``, only with a replica configured."""

from assetlife import db_router
from assetlife.db_router import ReplicaRouter, replica_reads
from circularity.models import Disposition


def test_without_a_replica_everything_stays_on_default(monkeypatch):
    monkeypatch.setattr(db_router, "has_replica", lambda: False)
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Disposition) is None


def test_with_a_replica_only_reads_inside_the_block_go_there(monkeypatch):
    monkeypatch.setattr(db_router, "has_replica", lambda: True)
    router = ReplicaRouter()
    assert router.db_for_read(Disposition) is None
    with replica_reads():
        assert router.db_for_read(Disposition) == "replica"
        assert router.db_for_write(Disposition) is None
    assert router.db_for_read(Disposition) is None


def test_migrations_never_run_on_the_replica():
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "inventory") is False
    assert router.allow_migrate("default", "inventory") is True
