"""The demo's sanitization batches and harvested parts put back in service (SPEC section 9).

Run after the replay, in the last week before the as-of day, through the real services:

* each center receives a last few servers (``RECENT_SERVERS`` a site: decommissioned, shipped,
  received and dismantled), and the data-bearing drives held at each center are purged
  in batches of up to ``BATCH_DRIVES`` (tool, version, verification method recorded);
  each batch's sample is drawn from a seed derived from the demo's own seed, and its
  results recorded: every batch passes but the first, whose first sampled drive fails,
  which blocks all its drives (they stay at the center, awaiting a new sanitization);
  the drives of the passed batches are recycled;
* a share of the harvested parts that were reused (dismantled at a center, then sent back
  to a site) is installed into a deployed server of that site.

Resale proceeds are planned with each resale (``decisions.resale_price``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef

from circularity import custody, dispositions, sanitization
from circularity.choices import Route
from circularity.models import CircularCenter, Disposition
from inventory import lifecycle
from inventory.choices import Action, Source, Status
from inventory.lifecycle import TransitionRequest
from inventory.models import Asset, LifecycleEvent

from .plan import DAY, HOUR

SECOND = dt.timedelta(seconds=1)

BATCH_DRIVES = 25
REINSTALL_EVERY = 3  # one harvested, reused part in three goes back into a server


RECENT_SERVERS = 2  # per site, retired in the last week for the batches to hold


def add_batches_and_reinstalls(*, seed: int, limit: dt.datetime) -> dict[str, int]:
    """Sanitization batches at the centers and reinstalled harvested parts, before ``limit``."""
    reinstalled = _reinstalls(limit)
    _recent_retirements(limit)
    return {"sanitization batches": _batches(seed, limit), "harvested parts reinstalled": reinstalled}


def _recent_retirements(limit: dt.datetime) -> None:
    """A few servers holding drives reach each center in the last week and are dismantled."""
    holding_drives = Exists(Asset.objects.filter(parent_id=OuterRef("pk"), part_model__data_bearing=True))
    for center in CircularCenter.objects.prefetch_related("sites").order_by("code"):
        for site in sorted(center.sites.all(), key=lambda site: site.code):
            servers = list(
                Asset.objects.filter(
                    site=site,
                    status=Status.DEPLOYED,
                    parent__isnull=True,
                    part_model__category="server",
                    last_event_at__lt=limit - 7 * DAY,
                )
                .filter(holding_drives)
                .order_by("serial_number")
                .values_list("serial_number", flat=True)[:RECENT_SERVERS]
            )
            if not servers:
                continue
            lifecycle.transition_many(
                [
                    TransitionRequest(serial, Status.DECOMMISSIONED, limit - 6 * DAY, note="End of life")
                    for serial in servers
                ],
                source=Source.API,
            )
            shipment = custody.ship(
                assets=servers, from_site=site, to_center=center, shipped_at=limit - 5 * DAY, source=Source.ADMIN
            )
            custody.receive(shipment=shipment, received_at=limit - 4 * DAY, source=Source.ADMIN)
            for serial in servers:
                lifecycle.dismantle(serial, occurred_at=limit - 3 * DAY, source=Source.ADMIN)


def _batches(seed: int, limit: dt.datetime) -> int:
    drives = (
        # Loose drives only (harvested): a drive still in a server is decided with its server.
        Asset.objects.filter(status=Status.AT_CIRCULAR_CENTER, part_model__data_bearing=True, parent__isnull=True)
        .order_by("center_id", "serial_number")
        .values_list("center_id", "serial_number", "last_event_at")
    )
    by_center: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for center_id, serial, last_event_at in drives:
        by_center[center_id].append((serial, last_event_at))
    centers = CircularCenter.objects.in_bulk(list(by_center))
    performed_at, verified_at = limit - 2 * DAY, limit - 2 * DAY + 4 * HOUR
    made, failed_one = 0, False
    for center_id, found in sorted(by_center.items()):
        ready = [serial for serial, last in found if last is None or last < performed_at]
        size = min(BATCH_DRIVES, max(1, len(ready) // 2))  # two batches at least, where drives allow
        for start in range(0, len(ready), size):
            made += 1
            batch = sanitization.sanitization_batch_create(
                center=centers[center_id],
                serial_numbers=ready[start : start + size],
                method="purge",
                performed_at=performed_at,
                performed_by=f"Technician {centers[center_id].code}",
                code=f"SB-{performed_at:%Y%m%d}-{centers[center_id].code}-{made:03d}",
                tool="Blancco Drive Eraser",
                tool_version="7.9",
                verification_method="full read-back of every sector (NIST SP 800-88 Rev. 2)",
                seed=seed * 1000 + made,
            )
            drawn = list(batch.drives.filter(sampled=True).values_list("asset__serial_number", flat=True))
            fail = not failed_one
            failed_one = True
            sanitization.sanitization_batch_record_results(
                batch=batch,
                results=[
                    sanitization.SampleResult(serial, not (fail and index == 0), "residual data found" if fail else "")
                    for index, serial in enumerate(drawn)
                ],
                verified_at=verified_at,
                verified_by="Quality lead",
            )
            if not fail:  # certified: the drives leave for the shredder's recycler
                for serial in ready[start : start + size]:
                    dispositions.record_disposition(
                        asset=serial,
                        center=centers[center_id],
                        route=Route.RECYCLE,
                        decided_at=limit - DAY,
                        source=Source.ADMIN,
                        vendor="FABRIKAM-RECYCLING",  # a certified recycler (demo/vendors.py)
                        certificate_id=f"RC-{batch.code}",
                    )
    return made


def _reinstalls(limit: dt.datetime) -> int:
    """Install some reused harvested parts into a deployed server of the site they went back to."""
    harvested = Exists(
        LifecycleEvent.objects.filter(
            asset_id=OuterRef("pk"), action=Action.REMOVE, to_status=Status.AT_CIRCULAR_CENTER
        )
    )
    reused_alone = Exists(
        Disposition.objects.filter(asset_id=OuterRef("pk"), tree_root_id=OuterRef("pk"), route=Route.REUSE)
    )
    parts = list(
        Asset.objects.filter(status=Status.IN_STOCK, parent__isnull=True)
        .exclude(part_model__category="server")
        .filter(harvested, reused_alone)
        .order_by("serial_number")
        .values_list("serial_number", "site_id", "last_event_at")
    )[::REINSTALL_EVERY]
    hosts: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for serial, site_id, last in (
        Asset.objects.filter(status=Status.DEPLOYED, parent__isnull=True, part_model__category="server")
        .order_by("serial_number")
        .values_list("serial_number", "site_id", "last_event_at")
    ):
        hosts[site_id].append((serial, last))
    done = 0
    at = limit - 12 * HOUR
    for index, (serial, site_id, last) in enumerate(parts):
        candidates = [host for host in hosts.get(site_id, ()) if host[1] < at]
        when = at + done * SECOND
        if not candidates or last >= at or when >= limit:
            continue
        host = candidates[index % len(candidates)][0]
        lifecycle.install(
            serial,
            parent=host,
            occurred_at=when,
            source=Source.ADMIN,
            note="Harvested part back in service",
        )
        done += 1
    return done


__all__ = ["add_batches_and_reinstalls"]
