"""Whether the replica may serve reads now: reachable, replaying, and not too far behind.

**How lag is measured.** ``now() - pg_last_xact_replay_timestamp()`` alone is wrong on an
idle primary: nothing has been committed for an hour, so the last replayed commit is an
hour old although the replica misses nothing. So the check compares WAL positions first:

1. the primary's current WAL position ``P`` (``pg_current_wal_lsn()``, on ``default``);
2. on the replica, ``pg_last_wal_replay_lsn()``: if it is at or past ``P``, the replica
   has applied everything the primary had written when asked, and its lag is 0;
3. otherwise (asked again once, 20 ms later, for WAL that was only in flight) the lag is
   the age of the last transaction it replayed, ``now() - pg_last_xact_replay_timestamp()``:
   it holds every commit up to that one, so its data are at most that old.

The replica is *usable* when it answers, is in recovery (a promoted or a plain server is
not a replica of this primary any more) and lags at most ``REPLICA_MAX_LAG_SECONDS``.
The verdict is kept ``REPLICA_CHECK_SECONDS`` per process: a check costs one query on
each server. A read that fails on the replica marks it down at once (``note_failure``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils.functional import SimpleLazyObject

from . import config
from .config import REPLICA

logger = logging.getLogger(__name__)

IN_FLIGHT_WAIT = 0.02  # seconds: WAL written just before the check is applied by then

REPLICA_CHECK = """
    SELECT pg_is_in_recovery(),
           coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false),
           extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
"""


@dataclass(frozen=True)
class ReplicaStatus:
    usable: bool
    state: str  # "streaming", "lagging", "down" or "not replicating"
    detail: str = ""
    lag_seconds: float | None = None

    @property
    def message(self) -> str:
        """What the admin's banner says when the replica is not used."""
        if self.state == "lagging":
            behind = "an unknown time" if self.lag_seconds is None else f"{self.lag_seconds:.0f} s"
            return (
                f"The read replica is {behind} behind the primary (more than {settings.REPLICA_MAX_LAG_SECONDS} s): "
                "dashboards, metrics and reports read from the primary until it catches up."
            )
        return (
            f"The read replica is {self.state} ({self.detail}): dashboards, metrics and reports read from the primary."
        )


_lock = threading.Lock()
_last: tuple[float, ReplicaStatus] | None = None


def replica_status() -> ReplicaStatus:
    """The replica's state, measured at most ``REPLICA_CHECK_SECONDS`` ago in this process."""
    with _lock:
        last = _last
    if last is not None and time.monotonic() - last[0] < settings.REPLICA_CHECK_SECONDS:
        return last[1]
    status = measure()
    _remember(status)
    return status


def note_failure(error: Exception) -> None:
    """A read on the replica failed: stop using it until the next check says otherwise."""
    _close(connections[REPLICA])
    _remember(ReplicaStatus(False, "down", f"a read failed: {_first_line(error)}"))


def measure() -> ReplicaStatus:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            primary_lsn = cursor.fetchone()[0]
    except DatabaseError as error:
        return ReplicaStatus(False, "down", f"the primary's WAL position is unknown: {_first_line(error)}")
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(REPLICA_CHECK, [primary_lsn])
            in_recovery, caught_up, lag = cursor.fetchone()
            if in_recovery and not caught_up:
                time.sleep(IN_FLIGHT_WAIT)
                cursor.execute(REPLICA_CHECK, [primary_lsn])
                in_recovery, caught_up, lag = cursor.fetchone()
    except DatabaseError as error:
        _close(replica)
        return ReplicaStatus(False, "down", _first_line(error))
    if not in_recovery:
        return ReplicaStatus(False, "not replicating", "it is not in recovery: promoted, or not a replica")
    if caught_up:
        return ReplicaStatus(True, "streaming", lag_seconds=0.0)
    lag = None if lag is None else float(lag)
    if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS:
        return ReplicaStatus(False, "lagging", "replay is behind", lag)
    return ReplicaStatus(True, "streaming", lag_seconds=lag)


def replica_banner(request) -> dict:
    """Template context: ``replica_status`` (measured only if a template shows it)."""
    if not config.has_replica():
        return {}
    return {"replica_status": SimpleLazyObject(replica_status)}


def _remember(status: ReplicaStatus) -> None:
    global _last
    with _lock:
        previous = _last[1] if _last else None
        _last = (time.monotonic(), status)
    if previous is None or previous.usable != status.usable:
        if status.usable:
            logger.info("Read replica in use (%s).", status.state)
        else:
            logger.warning("Read replica not used: %s", status.message)


def _close(connection) -> None:
    with contextlib.suppress(DatabaseError):  # already broken: nothing more to release
        connection.close()


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
