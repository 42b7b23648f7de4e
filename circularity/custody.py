"""Shipments: decommissioned assets leave a site for a circular center, and arrive.

State changes go through ``inventory.lifecycle`` (one event per asset, cascading to what
is installed); this module keeps the shipment record and checks what lifecycle cannot
know: that the assets leave from the shipment's site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from inventory import lifecycle, moments
from inventory.choices import Status
from inventory.errors import AssetNotFound
from inventory.lifecycle import TransitionRequest
from inventory.models import Asset, Site

from .errors import CustodyRefused
from .models import CircularCenter, Shipment


def ship(
    *,
    assets: Iterable[Asset | str],
    from_site: Site,
    to_center: CircularCenter,
    shipped_at: dt.datetime,
    source: str,
    tracking_ref: str = "",
    actor=None,
) -> Shipment:
    """Ship top-level decommissioned assets from ``from_site``: each goes ``in_transit``."""
    serials = sorted({a.serial_number if isinstance(a, Asset) else a for a in assets})
    if not serials:
        raise CustodyRefused("A shipment needs at least one asset")
    moments.check_moment(shipped_at, field="shipped_at")
    with transaction.atomic():
        found = {a.serial_number: a for a in Asset.objects.filter(serial_number__in=serials)}
        for serial in serials:
            if serial not in found:
                raise AssetNotFound(serial)
        elsewhere = [s for s in serials if found[s].site_id != from_site.pk]
        if elsewhere:
            raise CustodyRefused(f"Not at site {from_site.code}: {', '.join(elsewhere)}", elsewhere)
        note = f"Shipped to {to_center.code}" + (f" ({tracking_ref})" if tracking_ref else "")
        lifecycle.transition_many(
            [TransitionRequest(serial, Status.IN_TRANSIT, shipped_at, note=note) for serial in serials],
            source=source,
            actor=actor,
        )
        shipment = Shipment.objects.create(
            from_site=from_site, to_center=to_center, shipped_at=shipped_at, tracking_ref=tracking_ref
        )
        shipment.assets.set(found.values())
        return shipment


def receive(*, shipment: Shipment, received_at: dt.datetime, source: str, actor=None) -> Shipment:
    """Receive a shipment at its center: its assets still in transit arrive there.

    Assets reported ``missing`` on the way stay missing (they are found again later by a
    transition of their own); a shipment is received once.
    """
    moments.check_moment(received_at, field="received_at")
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().select_related("to_center").get(pk=shipment.pk)
        if shipment.received_at is not None:
            raise CustodyRefused(f"Shipment {shipment} was already received at {shipment.received_at:%Y-%m-%d %H:%M}")
        if received_at < shipment.shipped_at:
            raise CustodyRefused(f"Shipment {shipment} cannot be received before it was shipped")
        arriving = list(
            shipment.assets.filter(status=Status.IN_TRANSIT).order_by("pk").values_list("serial_number", flat=True)
        )
        note = f"Received from {shipment.from_site.code}" + (
            f" ({shipment.tracking_ref})" if shipment.tracking_ref else ""
        )
        lifecycle.transition_many(
            [
                TransitionRequest(serial, Status.AT_CIRCULAR_CENTER, received_at, center=shipment.to_center, note=note)
                for serial in arriving
            ],
            source=source,
            actor=actor,
        )
        shipment.received_at = received_at
        shipment.save(update_fields=["received_at"])
        return shipment
