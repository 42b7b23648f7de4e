"""Registering new assets: the first fact of an asset's history.

``inventory.lifecycle`` owns every *change* of an asset's state or parent; this module
owns the one moment before any change, when an asset enters AssetLife. A new asset
starts ``in_stock`` or ``deployed`` (SPEC section 2 has no way into the fleet in any
other state), and gets one ``LifecycleEvent`` there and then, in the same transaction,
so its history is never empty: action ``transition`` with ``from_status`` equal to
``to_status`` (it did not move; it became known), and a note saying how (``Imported from
fleet.csv, line 7``). The event occurs at the asset's ``deployed_at`` when it has one (its
history starts when it was deployed, SPEC section 2 "Time"), otherwise at the time it
was registered; nothing earlier can be recorded for it afterwards.

The admin's "add asset" page and the CSV import (``inventory.imports``) both call
``register_assets``; callers validate their input first and use the errors here only as
the last guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import moments
from .choices import Action, Status
from .errors import TransitionRefused
from .models import Asset, LifecycleEvent

# The states an asset may enter the fleet in.
REGISTRATION_STATUSES = (Status.IN_STOCK, Status.DEPLOYED)

BATCH_SIZE = 2000


def register_assets(
    assets: Sequence[Asset],
    *,
    source: str,
    actor=None,
    occurred_at: datetime | None = None,
    notes: Sequence[str] | None = None,
) -> list[LifecycleEvent]:
    """Insert new assets and write one registration event for each; return the events.

    ``assets`` are unsaved ``Asset`` instances with ``site`` and ``part_model`` set. A
    ``parent`` must already be saved (register a tree level by level, parents first),
    stand at the same site and be in the same state: a component shares its parent's
    state. ``notes`` gives each asset's event note, in order. The instances get their
    primary keys. Each event occurs at the asset's ``deployed_at``, or else at
    ``occurred_at`` (default: now). Bad moments raise ``MomentRefused`` naming the field.
    """
    if not assets:
        return []
    now = timezone.now()
    if occurred_at is not None:
        moments.check_moment(occurred_at, field="occurred_at", now=now)
    occurred_at = occurred_at or now
    notes = list(notes) if notes is not None else [""] * len(assets)
    for asset in assets:
        _check(asset)
        if asset.deployed_at is not None:
            moments.check_moment(asset.deployed_at, field="deployed_at", now=now)
        asset.last_event_at = asset.deployed_at or occurred_at
    with transaction.atomic():
        created = Asset.objects.bulk_create(assets, batch_size=BATCH_SIZE)
        events = [
            LifecycleEvent(
                asset=asset,
                action=Action.TRANSITION,
                from_status=asset.status,
                to_status=asset.status,
                occurred_at=asset.last_event_at,
                actor=actor,
                source=source,
                location=asset.site.code,
                note=note,
            )
            for asset, note in zip(created, notes, strict=True)
        ]
        return LifecycleEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)


def _check(asset: Asset) -> None:
    def refuse(reason: str):
        raise TransitionRefused(asset.serial_number, "new", asset.status, REGISTRATION_STATUSES, reason)

    if asset.pk is not None:
        refuse("it is registered already")
    if asset.status not in REGISTRATION_STATUSES:
        refuse("a new asset enters the fleet in stock or deployed")
    if asset.center_id is not None or asset.decommissioned_at is not None:
        refuse("a new asset is not at a circular center and not decommissioned")
    parent = asset.parent
    if parent is not None:
        if parent.pk is None:
            refuse(f"its parent {parent.serial_number} must be registered first")
        if parent.site_id != asset.site_id or parent.status != asset.status:
            refuse(
                f"it is {asset.status} at {asset.site.code} and its parent {parent.serial_number} is "
                f"{parent.status} at {parent.site.code}; a component shares its parent's state and site"
            )
