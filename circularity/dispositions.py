"""Recording dispositions and sanitizations: the only writer of ``Disposition`` rows.

A disposition applies to the whole installed tree (SPEC section 3): every asset in it gets
its own row, with its own mass, so each asset counts once. The sanitization gate, the
state changes (through ``inventory.lifecycle``) and the rows are one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from inventory import lifecycle, moments
from inventory.choices import Status
from inventory.errors import AssetNotFound
from inventory.models import Asset, Site

from . import downstream, snapshots
from .choices import (
    METHODS_FOR_OTHER_ROUTES,
    METHODS_FOR_REUSE,
    ROUTE_STATUS,
    Route,
    SanitizationMethod,
)
from .currencies import validate_currency
from .errors import DispositionRefused, SanitizationBatchFailed, SanitizationMissing, SanitizationRefused
from .models import CircularCenter, Disposition, SanitizationRecord, Vendor
from .sanitization import blocking_failures

SANITIZABLE_STATUSES = frozenset({Status.DEPLOYED, Status.DECOMMISSIONED, Status.IN_STOCK, Status.AT_CIRCULAR_CENTER})


def gate_methods(route: str) -> frozenset[str]:
    """The sanitization methods that let a data-bearing asset take ``route``."""
    return METHODS_FOR_REUSE if route == Route.REUSE else METHODS_FOR_OTHER_ROUTES


def record_disposition(
    *,
    asset: Asset | str,
    center: CircularCenter,
    route: str,
    decided_at: dt.datetime,
    source: str,
    to_site: Site | None = None,
    vendor: Vendor | str | None = None,
    certificate_id: str = "",
    proceeds: Decimal | None = None,
    currency: str = "",
    actor=None,
) -> list[Disposition]:
    """Decide the route of an asset at a circular center, and of everything installed in it.

    Refuses (``MomentRefused``, ``DispositionRefused``, ``DownstreamRefused``,
    ``SanitizationMissing``, ``SanitizationBatchFailed``, ``TransitionRefused`` or
    ``EventOutOfOrder``) and writes nothing unless: ``decided_at`` is a moment AssetLife
    records, no earlier than the tree's latest event; the asset is top-level and
    ``at_circular_center`` at ``center``; ``reuse`` names ``to_site``; the vendor (a
    ``Vendor`` or its code) passes the downstream gate (``circularity.downstream``); every
    data-bearing asset of the tree has a verified sanitization of a method the route allows,
    performed in this custody cycle (and no drive of it belongs to a batch whose sampled
    verification failed); ``proceeds`` are given with their ISO 4217 ``currency``, for
    ``resale`` only. The proceeds of a tree are the decision's: they are kept on the row of
    the asset the decision was made for.
    """
    serial = asset.serial_number if isinstance(asset, Asset) else asset
    _check_proceeds(serial, route, proceeds, currency)
    if route not in Route.values:
        raise DispositionRefused(serial, f"{route!r} is not a route (routes: {', '.join(Route.values)})")
    if route == Route.REUSE and to_site is None:
        raise DispositionRefused(serial, "reuse needs the site the asset returns to (to_site)")
    if route != Route.REUSE and to_site is not None:
        raise DispositionRefused(serial, f"to_site is for reuse only, not {route}")
    moments.check_moment(decided_at, field="decided_at")
    vendor = downstream.resolve_vendor(vendor, route=route)
    downstream.check_downstream(center=center, route=route, vendor=vendor, decided_at=decided_at)

    with transaction.atomic():
        tree = lifecycle.lock_tree(serial)
        root = tree[0]
        if root.parent_id is not None:
            raise DispositionRefused(
                serial, f"it is installed in {root.parent.serial_number}; disposition the parent, or dismantle it"
            )
        if root.status != Status.AT_CIRCULAR_CENTER:
            raise DispositionRefused(serial, f"it is {root.status}, not at a circular center")
        if root.center_id != center.pk:
            raise DispositionRefused(serial, f"it is at circular center {root.center.code}, not {center.code}")
        _check_gate(tree, route)

        # Copied before the transition: a reused asset moves to its new site, its past
        # dispositions stay with the site it came from.
        rows = [
            Disposition(
                asset=member,
                tree_root=root,
                center=center,
                site_id=member.site_id,
                category=member.part_model.category,
                route=route,
                decided_at=decided_at,
                mass_kg=member.part_model.mass_kg,
                embodied_kgco2e=member.part_model.embodied_kgco2e,
                hazardous=member.part_model.hazardous,
                to_site=to_site,
                vendor=vendor,
                certificate_id=certificate_id,
                proceeds=proceeds if member is root else None,
                currency=currency if member is root and proceeds is not None else "",
                actor=actor,
            )
            for member in tree
        ]
        lifecycle.transition(
            root,
            to=ROUTE_STATUS[route],
            occurred_at=decided_at,
            source=source,
            actor=actor,
            site=to_site,
            note=f"Disposition: {route} at {center.code}",
            disposition=True,
        )
        created = Disposition.objects.bulk_create(rows)
        snapshots.mark_stale([decided_at])
        return created


def _check_proceeds(serial: str, route: str, proceeds: Decimal | None, currency: str) -> None:
    """Value recovered (SPEC section 9): resale only, never without its currency."""
    if proceeds is None:
        if currency:
            raise DispositionRefused(serial, f"a currency ({currency}) was given without proceeds")
        return
    if route != Route.RESALE:
        raise DispositionRefused(serial, f"proceeds are for resale only, not {route}")
    if proceeds < 0:
        raise DispositionRefused(serial, f"proceeds cannot be negative ({proceeds})")
    if not currency:
        raise DispositionRefused(serial, "proceeds need their ISO 4217 currency (e.g. EUR)")
    try:
        validate_currency(currency)
    except ValidationError as error:
        raise DispositionRefused(serial, error.messages[0].rstrip(".")) from None


def tree_mass_kg(asset: Asset) -> Decimal:
    """A server's total mass: its own plus that of everything installed in it."""
    return sum((member.part_model.mass_kg for member in lifecycle.tree_of(asset)), Decimal("0"))


def record_sanitization(
    *,
    asset: Asset | str,
    method: str,
    performed_at: dt.datetime,
    performed_by: str,
    verified: bool,
    certificate_id: str = "",
    tool: str = "",
    tool_version: str = "",
    verification_method: str = "",
    verified_by: str = "",
) -> SanitizationRecord:
    """Record a media sanitization of an asset still in custody (``performed_by``: who sanitized)."""
    serial = asset.serial_number if isinstance(asset, Asset) else asset
    if method not in SanitizationMethod.values:
        raise SanitizationRefused(serial, f"{method!r} is not a method (methods: clear, purge, destroy)")
    if verified and not certificate_id:
        raise SanitizationRefused(serial, "a verified sanitization needs its certificate_id")
    if not performed_by:
        raise SanitizationRefused(serial, "name who performed it (performed_by)")
    moments.check_moment(performed_at, field="performed_at")
    with transaction.atomic():
        target = Asset.objects.select_related("part_model").filter(serial_number=serial).first()
        if target is None:
            raise AssetNotFound(serial)
        if not target.part_model.data_bearing:
            # A server's own serial is the usual slip: the record would be accepted while the
            # drives inside stay unsanitized and the gate still refuses them.
            raise SanitizationRefused(
                serial,
                f"a {target.part_model.get_category_display()} is not data-bearing; "
                "record the sanitization of its drives (the data-bearing parts of its tree)",
            )
        if target.status not in SANITIZABLE_STATUSES:
            raise SanitizationRefused(serial, f"it is {target.status}; sanitize an asset still in custody")
        return SanitizationRecord.objects.create(
            asset=target,
            method=method,
            performed_at=performed_at,
            performed_by=performed_by,
            verified=verified,
            certificate_id=certificate_id,
            tool=tool,
            tool_version=tool_version,
            verification_method=verification_method,
            verified_by=verified_by,
        )


def _check_gate(tree: list[Asset], route: str) -> None:
    """Refuse unless every data-bearing asset of the tree is sanitized for ``route``.

    A certificate counts for the current custody cycle only: it must be performed after
    the asset's previous disposition, if it had one (a reused drive that comes back holds
    new data). A drive of a sanitization batch whose sampled verification failed is
    refused first, naming the batch and the failed drive, until it is sanitized and
    verified again (``sanitization.blocking_failures``). Three queries, whatever the size
    of the tree.
    """
    data_bearing = [member for member in tree if member.part_model.data_bearing]
    if not data_bearing:
        return
    ids = [member.pk for member in data_bearing]
    previous = dict(
        Disposition.objects.filter(asset_id__in=ids)
        .values("asset_id")
        .annotate(last=Max("decided_at"))
        .values_list("asset_id", "last")
    )
    methods = gate_methods(route)
    certificates = SanitizationRecord.objects.filter(asset_id__in=ids, verified=True, method__in=methods)
    cleared: dict[int, list[dt.datetime]] = {}
    for asset_id, performed_at in certificates.values_list("asset_id", "performed_at"):
        if asset_id not in previous or performed_at > previous[asset_id]:
            cleared.setdefault(asset_id, []).append(performed_at)
    blocked = blocking_failures(ids, previous, cleared)
    if blocked:
        failures: dict[str, set[str]] = {}
        for batch_failures in blocked.values():
            for failure in batch_failures:
                failures.setdefault(failure.batch, set()).add(failure.failed_drive)
        serials = [member.serial_number for member in data_bearing if member.pk in blocked]
        raise SanitizationBatchFailed(route, failures, serials)
    lacking = [member.serial_number for member in data_bearing if member.pk not in cleared]
    if lacking:
        raise SanitizationMissing(route, lacking, methods)


__all__ = ["gate_methods", "record_disposition", "record_sanitization", "tree_mass_kg"]
