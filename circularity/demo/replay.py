"""Performs the planned history in memory, by the services' rules, and yields the rows they write.

The services (``inventory.lifecycle``, ``circularity.custody``, ``circularity.dispositions``)
lock, read and write a tree per call: 28,000 calls for a 10,000-server fleet took 7.6
minutes. The demo instead replays its plan against an in-memory copy of the fleet with the
same rules — the transition table (``inventory.lifecycle.table``), the order of history
(no event earlier than its tree's latest), campus custody, the sanitization gate of the
custody cycle, parts moving only at a site or center — and collects the very rows each
service would have written (events, shipments, sanitization records, dispositions, each
asset's final state). ``write`` then inserts them in bulk, as the benchmark fleet is
loaded. A plan that breaks a rule raises ``ReplayError`` and nothing is written;
``manage.py check_data`` finds the loaded fleet clean (a test holds it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from circularity.choices import METHODS_FOR_OTHER_ROUTES, METHODS_FOR_REUSE, ROUTE_STATUS, Route
from inventory.choices import Action, Source, Status, default_data_bearing
from inventory.lifecycle.table import DISPOSITION_TARGETS, PART_MOVE_STATUSES, allowed_next

from .catalog import CAMPUSES, PartSpec
from .plan import (
    DECOMMISSION,
    DISMANTLE,
    DISPOSE,
    FAIL,
    FOUND,
    HOUR,
    MINUTE,
    MISSING,
    RECEIVE,
    REDEPLOY,
    SANITIZE,
    SHIP,
    PlannedAsset,
)
from .plan import (
    Action as PlannedAction,
)

# Who would have recorded each kind of change: the fleet management system pushes
# retirements and part swaps through the API; people at the centers use the admin.
FLEET_SYSTEM, STAFF = Source.API, Source.ADMIN
SANITIZABLE = frozenset({Status.DEPLOYED, Status.DECOMMISSIONED, Status.IN_STOCK, Status.AT_CIRCULAR_CENTER})
SERVED = {campus.center: frozenset(campus.sites) for campus in CAMPUSES}


class ReplayError(Exception):
    """The plan asked for a change the services would refuse (a bug in the planner)."""


@dataclass(slots=True)
class Held:
    """One asset's state while the history is replayed (what ``Asset`` will hold at the end)."""

    serial: str
    spec: PartSpec
    asset_tag: str | None
    site: str
    center: str | None
    status: str
    deployed_at: dt.datetime | None
    decommissioned_at: dt.datetime | None
    last_event_at: dt.datetime
    parent: Held | None = None
    children: list[Held] = field(default_factory=list)
    before_missing: str | None = None
    last_disposition: dt.datetime | None = None
    certificates: list[tuple[dt.datetime, str]] = field(default_factory=list)  # verified: (performed_at, method)

    @property
    def data_bearing(self) -> bool:
        return default_data_bearing(self.spec.category)

    def tree(self) -> list[Held]:
        found, stack = [], [self]
        while stack:
            asset = stack.pop()
            found.append(asset)
            stack.extend(reversed(asset.children))
        return found

    def top(self) -> Held:
        asset = self
        while asset.parent is not None:
            asset = asset.parent
        return asset

    def location(self) -> str:
        """The code of the center holding it, or else of its site (``lifecycle.parts.location``)."""
        return self.center if self.center is not None and self.status != Status.IN_STOCK else self.site


@dataclass(slots=True)
class Rows:
    """What the services would have written, in the order they would have written it."""

    # (serial, action, from, to, parent serial, occurred_at, source, location, note)
    events: list[tuple] = field(default_factory=list)
    # (number, site, center, shipped_at, received_at, tracking_ref, [root serials])
    shipments: dict[int, list] = field(default_factory=dict)
    # (serial, method, performed_at, performed_by, verified, certificate_id)
    sanitizations: list[tuple] = field(default_factory=list)
    # (serial, root serial, center, site, category, route, decided_at, mass, embodied, to_site, vendor code,
    #  certificate, proceeds, currency, part model key)
    dispositions: list[tuple] = field(default_factory=list)


class Replay:
    def __init__(self, planned: list[PlannedAsset], *, progress=None):
        self.assets: dict[str, Held] = {}
        self.rows = Rows()
        self.progress = progress
        self.counts: Counter[str] = Counter()
        for asset in planned:
            self._create(asset)

    # --- creation ------------------------------------------------------------------

    def _create(self, planned: PlannedAsset) -> None:
        """An asset enters the fleet with the one event that starts its history."""
        deployed = planned.status == Status.DEPLOYED
        held = Held(
            serial=planned.serial,
            spec=planned.spec,
            asset_tag=planned.asset_tag,
            site=planned.site,
            center=None,
            status=planned.status,
            deployed_at=planned.created_at if deployed else None,
            decommissioned_at=None,
            last_event_at=planned.created_at,
        )
        if planned.parent:
            held.parent = self.assets[planned.parent]
            held.parent.children.append(held)
        self.assets[planned.serial] = held
        if deployed:
            note = f"Deployed in {planned.parent}" if planned.parent else "Deployed"
        else:
            note = f"Received into stock in {planned.parent}" if planned.parent else "Received into stock"
        self.rows.events.append(
            (
                held.serial,
                Action.TRANSITION,
                Status.IN_STOCK,
                planned.status,
                None,
                planned.created_at,
                Source.JOB,
                planned.site,
                f"{note} (demo fleet load)",
            )
        )

    # --- the history ----------------------------------------------------------------

    def run(self, actions: list[PlannedAction]) -> Rows:
        for action in sorted(actions):
            self.one(action)
            if self.progress is not None:
                self.progress.update(1)
        return self.rows

    def one(self, action: PlannedAction) -> None:
        args, at = action.args, action.at
        kind = action.kind
        if kind == DECOMMISSION:
            for serial, moment in args["retire"]:
                self.transition(serial, Status.DECOMMISSIONED, moment, FLEET_SYSTEM, note="End of life")
                self.counts["transitions"] += 1
        elif kind == REDEPLOY:
            self.transition(args["serial"], Status.DEPLOYED, at, FLEET_SYSTEM, note="Redeployed after reuse")
            self.counts["transitions"] += 1
        elif kind == FAIL:
            part, server, spare = args["part"], args["server"], args["spare"]
            self.remove(part, at, FLEET_SYSTEM, note=f"Failed in service in {server}")
            self.transition(part, Status.DECOMMISSIONED, at + 30 * MINUTE, FLEET_SYSTEM, note="Failed part")
            self.install(spare, server, at + HOUR, FLEET_SYSTEM, note=f"Replaces {part}")
            self.counts["part swaps"] += 1
        elif kind == SANITIZE:
            self.sanitize(args["serial"], args["method"], at, args["by"], args["verified"], args["certificate"])
        elif kind == SHIP:
            self.ship(args, at)
        elif kind == RECEIVE:
            self.receive(args["shipment"], at)
        elif kind == MISSING:
            self.transition(args["serial"], Status.MISSING, at, STAFF, note=args["note"])
        elif kind == FOUND:
            self.transition(args["serial"], args["to"], at, STAFF, note=args["note"])
        elif kind == DISMANTLE:
            self.dismantle(args["serial"], at, STAFF)
        elif kind == DISPOSE:
            self.dispose(args, at)
        else:  # pragma: no cover - the planner emits only the kinds above
            raise ReplayError(f"unknown action kind {kind}")

    # --- the services' rules, in memory --------------------------------------------

    def _check_order(self, serial: str, tops: list[Held], at: dt.datetime) -> None:
        latest = max(member.last_event_at for top in tops for member in top.tree())
        if at < latest:
            raise ReplayError(f"{serial}: {at} is earlier than its tree's latest event ({latest})")

    def transition(
        self,
        serial: str,
        to: str,
        at: dt.datetime,
        source: str,
        *,
        note: str = "",
        center: str | None = None,
        site: str | None = None,
        disposition: bool = False,
    ) -> None:
        """``lifecycle.transition``: the top-level asset and everything installed in it."""
        root = self.assets[serial]
        current = root.status
        if root.parent is not None:
            raise ReplayError(f"{serial} is installed in {root.parent.serial}")
        by_disposition = disposition and current == Status.AT_CIRCULAR_CENTER and to in DISPOSITION_TARGETS
        if not by_disposition and to not in allowed_next(current, before_missing=root.before_missing):
            raise ReplayError(f"{serial}: {current} -> {to} is not allowed")
        members = root.tree()
        self._check_order(serial, [root], at)
        changes: dict[str, object] = {}
        if current != Status.MISSING:
            if to == Status.AT_CIRCULAR_CENTER:
                if center is None or (current == Status.DECOMMISSIONED and root.site not in SERVED[center]):
                    raise ReplayError(f"{serial}: center {center} does not serve {root.site}")
                changes["center"] = center
            elif to == Status.IN_STOCK:
                if site is None:
                    raise ReplayError(f"{serial}: back in stock needs a site")
                changes.update(site=site, center=None, decommissioned_at=None)
            elif to == Status.DEPLOYED:
                changes["deployed_at"] = at
                if current == Status.DECOMMISSIONED:
                    changes["decommissioned_at"] = None
            elif to == Status.DECOMMISSIONED:
                changes["decommissioned_at"] = at
        events = self.rows.events
        for member in members:
            from_status = member.status
            if to == Status.MISSING:
                member.before_missing = from_status
            member.status = to
            member.last_event_at = at
            for name, value in changes.items():
                setattr(member, name, value)
            events.append(
                (member.serial, Action.TRANSITION, from_status, to, None, at, source, member.location(), note)
            )

    def remove(self, serial: str, at: dt.datetime, source: str, *, note: str) -> None:
        """``lifecycle.remove``: out of its parent, same place, same state."""
        part = self.assets[serial]
        parent = part.parent
        if parent is None or part.status not in PART_MOVE_STATUSES:
            raise ReplayError(f"{serial} cannot be removed ({part.status}, parent {parent})")
        self._check_order(serial, [part.top()], at)
        self._detach(part, at, source, note)
        parent.last_event_at = at

    def _detach(self, part: Held, at: dt.datetime, source: str, note: str) -> None:
        parent = part.parent
        parent.children.remove(part)
        part.parent = None
        part.last_event_at = at
        self.rows.events.append(
            (part.serial, Action.REMOVE, part.status, part.status, parent.serial, at, source, part.location(), note)
        )

    def install(self, serial: str, parent_serial: str, at: dt.datetime, source: str, *, note: str) -> None:
        """``lifecycle.install``: a top-level part into a parent at the same place, taking its state."""
        part, host = self.assets[serial], self.assets[parent_serial]
        if part.parent is not None or part.status not in PART_MOVE_STATUSES or host.status not in PART_MOVE_STATUSES:
            raise ReplayError(f"{serial} cannot be installed in {parent_serial}")
        if (part.site, part.center) != (host.site, host.center):
            raise ReplayError(f"{serial} is not where {parent_serial} is")
        self._check_order(serial, [part, host.top()], at)
        if part.status != host.status:
            self.transition(serial, host.status, at, source, note=note, center=host.center)
        part.parent = host
        host.children.append(part)
        part.last_event_at = host.last_event_at = at
        self.rows.events.append(
            (part.serial, Action.INSTALL, part.status, part.status, host.serial, at, source, part.location(), note)
        )

    def dismantle(self, serial: str, at: dt.datetime, source: str) -> None:
        """``lifecycle.dismantle``: every part of a tree at a center becomes top-level."""
        root = self.assets[serial]
        parts = root.tree()[1:]
        if root.parent is not None or root.status != Status.AT_CIRCULAR_CENTER or not parts:
            raise ReplayError(f"{serial} cannot be dismantled ({root.status})")
        self._check_order(serial, [root], at)
        note = f"Dismantled from {serial}"
        for part in parts:
            self._detach(part, at, source, note)
        root.last_event_at = at
        self.counts["dismantled servers"] += 1

    def ship(self, args: dict, at: dt.datetime) -> None:
        """``custody.ship``: decommissioned top-level assets leave their site, in transit."""
        serials = sorted(set(args["serials"]))
        site, center, tracking_ref = args["site"], args["center"], args["tracking_ref"]
        if any(self.assets[serial].site != site for serial in serials):
            raise ReplayError(f"shipment {args['shipment']}: not every asset is at {site}")
        note = f"Shipped to {center} ({tracking_ref})"
        for serial in serials:
            self.transition(serial, Status.IN_TRANSIT, at, STAFF, note=note)
        self.rows.shipments[args["shipment"]] = [args["shipment"], site, center, at, None, tracking_ref, serials]
        self.counts["shipments"] += 1

    def receive(self, number: int, at: dt.datetime) -> None:
        """``custody.receive``: what is still in transit arrives at the center."""
        shipment = self.rows.shipments[number]
        _, site, center, shipped_at, received_at, tracking_ref, serials = shipment
        if received_at is not None or at < shipped_at:
            raise ReplayError(f"shipment {number} cannot be received at {at}")
        note = f"Received from {site} ({tracking_ref})"
        for serial in serials:
            if self.assets[serial].status == Status.IN_TRANSIT:
                self.transition(serial, Status.AT_CIRCULAR_CENTER, at, STAFF, note=note, center=center)
        shipment[4] = at

    def sanitize(self, serial: str, method: str, at: dt.datetime, by: str, verified: bool, certificate: str) -> None:
        """``dispositions.record_sanitization``: of an asset still in custody."""
        asset = self.assets[serial]
        if not asset.data_bearing or asset.status not in SANITIZABLE or (verified and not certificate):
            raise ReplayError(f"{serial}: a sanitization cannot be recorded ({asset.status})")
        if verified:
            asset.certificates.append((at, method))
        self.rows.sanitizations.append((serial, method, at, by, verified, certificate))
        self.counts["sanitizations"] += 1

    def dispose(self, args: dict, at: dt.datetime) -> None:
        """``dispositions.record_disposition``: one row per asset of the tree, then the transition."""
        serial, center, route, to_site = args["serial"], args["center"], args["route"], args["to_site"]
        root = self.assets[serial]
        if root.parent is not None or root.status != Status.AT_CIRCULAR_CENTER or root.center != center:
            raise ReplayError(f"{serial}: no disposition at {center} ({root.status} at {root.center})")
        if (route == Route.REUSE) != (to_site is not None):
            raise ReplayError(f"{serial}: to_site is for reuse, and reuse needs it")
        proceeds, currency = args.get("proceeds"), args.get("currency", "")
        if (proceeds is not None) != bool(currency) or (proceeds is not None and route != Route.RESALE):
            raise ReplayError(f"{serial}: proceeds are for resale only, with their currency")
        tree = root.tree()
        methods = METHODS_FOR_REUSE if route == Route.REUSE else METHODS_FOR_OTHER_ROUTES
        for member in tree:
            if member.data_bearing and not any(
                method in methods and (member.last_disposition is None or performed > member.last_disposition)
                for performed, method in member.certificates
            ):
                raise ReplayError(f"{member.serial}: no verified sanitization for {route} in this custody cycle")
        for member in tree:
            spec = member.spec
            self.rows.dispositions.append(
                (
                    member.serial,
                    serial,
                    center,
                    member.site,
                    spec.category,
                    route,
                    at,
                    spec.mass,
                    spec.embodied_kgco2e,
                    to_site,
                    args["vendor"],
                    args["certificate"],
                    proceeds if member is root else None,
                    currency if member is root and proceeds is not None else "",
                    spec.key,
                )
            )
            member.last_disposition = at
        self.transition(
            serial, ROUTE_STATUS[route], at, STAFF, note=f"Disposition: {route} at {center}", site=to_site,
            disposition=True,
        )  # fmt: skip
        self.counts["dispositions"] += len(tree)
