"""Where a read goes: ``on_replica(read)`` and the router that follows it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

from . import config, health, pinning
from .config import REPLICA

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The alias the reads of the running ``on_replica`` block go to (None: the primary).
_reads_on: ContextVar[str | None] = ContextVar("replica_reads_on", default=None)


def _in_write() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


def on_replica(read: Callable[..., T], /, *args, **kwargs) -> T:
    """``read(*args, **kwargs)`` with its queries on the replica, when it may be used.

    ``read`` must only read: if the replica fails while it runs (the server went away, a
    query was cancelled by recovery), it runs again, on the primary.
    """
    if not config.has_replica() or _in_write() or pinning.pinned_to_primary():
        return read(*args, **kwargs)
    if not health.replica_status().usable:
        return read(*args, **kwargs)
    token = _reads_on.set(REPLICA)
    try:
        return read(*args, **kwargs)
    except (OperationalError, InterfaceError) as error:
        health.note_failure(error)
    finally:
        _reads_on.reset(token)
    logger.warning("A read on the replica failed; it ran again on the primary.")
    return read(*args, **kwargs)


def read_alias() -> str | None:
    """The database a read goes to now; None leaves it to ``default``."""
    alias = _reads_on.get()
    if alias is None or _in_write():  # a read inside a write reads what the write sees
        return None
    return alias
