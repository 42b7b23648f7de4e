"""THE transition table, and the only code that changes ``Asset.status`` or ``Asset.parent``.

Every entry point (admin, API, CSV import, jobs, the circularity services) calls the
functions here: ``transition()`` / ``transition_many()``, ``install()``, ``remove()`` and
``dismantle()``. Each one, in a single database transaction:

* locks the assets it changes (``SELECT ... FOR UPDATE`` in primary-key order, so two
  writers on one asset serialise and batches never deadlock on each other),
* checks the rules of SPEC section 2 against the locked, current rows (the moment is one
  AssetLife records, ``inventory.moments``, and no earlier than the latest event of the
  trees it touches, read from ``Asset.last_event_at``, which every writer here keeps),
* writes the new state and one append-only ``LifecycleEvent`` per asset changed,
* or, when any check fails, raises a ``LifecycleError`` and writes nothing.

A component installed in a parent shares its parent's state and location: transitions
are made on the top-level asset and cascade to everything installed in it, each asset
getting its own event. To change a component on its own, remove it first.

The package: ``table`` (the transition table), ``batch`` (transitions, one or many),
``parts`` (install, remove, dismantle, locking a tree), ``events`` (appending events).
"""

from ..errors import (
    AssetNotFound,
    BatchRefused,
    EventOutOfOrder,
    LifecycleError,
    MomentRefused,
    PartMoveRefused,
    TransitionRefused,
)
from .batch import TransitionRequest, transition, transition_many
from .events import COPY_THRESHOLD, SavedEvents, event_keys, insert_events
from .parts import dismantle, install, location, lock_tree, remove, serial_of, tree_of
from .table import ALLOWED, DISPOSITION_TARGETS, PART_MOVE_STATUSES, allowed_next

__all__ = [
    "ALLOWED",
    "COPY_THRESHOLD",
    "DISPOSITION_TARGETS",
    "PART_MOVE_STATUSES",
    "AssetNotFound",
    "BatchRefused",
    "EventOutOfOrder",
    "LifecycleError",
    "MomentRefused",
    "PartMoveRefused",
    "SavedEvents",
    "TransitionRefused",
    "TransitionRequest",
    "allowed_next",
    "dismantle",
    "event_keys",
    "insert_events",
    "install",
    "location",
    "lock_tree",
    "remove",
    "serial_of",
    "transition",
    "transition_many",
    "tree_of",
]
