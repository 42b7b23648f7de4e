"""A PostgreSQL read replica for the reads that can live with a little lag.

``DATABASE_REPLICA_URL`` adds a ``replica`` database. The dashboard, the metrics and
targets endpoints and the report build call ``on_replica(read)``; everything else (every
write, and every read inside a write) stays on ``default``, the primary. ``on_replica``
reads the primary instead when

- the request is a write, or its user wrote within ``REPLICA_PIN_SECONDS`` (read your
  own writes: ``pinning``);
- the replica is down, or lags more than ``REPLICA_MAX_LAG_SECONDS`` (``health``; the
  admin shows a banner);
- the replica fails in the middle of the read (the read runs again on the primary).

Without a replica, ``on_replica(read)`` is ``read()``. See docs/scaling.md.
"""

from .config import REPLICA, has_replica
from .reads import on_replica

__all__ = ["REPLICA", "has_replica", "on_replica"]
