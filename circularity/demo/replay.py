"""Performs the planned history through the real services, in time order.

Nothing here writes a status, a parent, a shipment, a sanitization or a disposition by
itself: each action calls ``inventory.lifecycle``, ``circularity.custody`` or
``circularity.dispositions``, so every event exists and every rule (the transition table,
campus custody, the sanitization gate) is checked as it would be for a person. Runs of
consecutive retirements and redeployments go through one ``transition_many`` call.
"""

from __future__ import annotations

from collections import Counter

from circularity import custody, dispositions
from inventory import lifecycle
from inventory.choices import Source, Status
from inventory.lifecycle import TransitionRequest

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
    Action,
)

BATCHED = (DECOMMISSION, REDEPLOY)
# Who would have recorded each kind of change: the fleet management system pushes
# retirements and part swaps through the API; people at the centers use the admin.
FLEET_SYSTEM, STAFF = Source.API, Source.ADMIN


class Replay:
    def __init__(self, *, sites, centers, progress=None, every: int = 0, checkpoint=None):
        self.sites = sites
        self.centers = centers
        self.progress = progress
        self.every = every
        self.checkpoint = checkpoint  # called every ``every`` steps (statistics refresh)
        self.shipments = {}
        self.counts: Counter[str] = Counter()

    def run(self, actions: list[Action]) -> Counter:
        actions = sorted(actions)
        index, next_checkpoint = 0, self.every
        while index < len(actions):
            if self.checkpoint is not None and self.every and index >= next_checkpoint:
                self.checkpoint()
                next_checkpoint += self.every
            end = index + 1
            if actions[index].kind in BATCHED:
                while end < len(actions) and actions[end].kind in BATCHED:
                    end += 1
                self.transitions(actions[index:end])
            else:
                self.one(actions[index])
            if self.progress is not None:
                self.progress.update(end - index)
            index = end
        return self.counts

    def transitions(self, actions: list[Action]) -> None:
        requests = []
        for action in actions:
            if action.kind == DECOMMISSION:
                requests.extend(
                    TransitionRequest(serial, Status.DECOMMISSIONED, at, note="End of life")
                    for serial, at in action.args["retire"]
                )
            else:
                requests.append(
                    TransitionRequest(action.args["serial"], Status.DEPLOYED, action.at, note="Redeployed after reuse")
                )
        lifecycle.transition_many(requests, source=FLEET_SYSTEM)
        self.counts["transitions"] += len(requests)

    def one(self, action: Action) -> None:
        args, at = action.args, action.at
        if action.kind == FAIL:
            part, server = args["part"], args["server"]
            lifecycle.remove(part, occurred_at=at, source=FLEET_SYSTEM, note=f"Failed in service in {server}")
            lifecycle.transition(
                part, to=Status.DECOMMISSIONED, occurred_at=at + 30 * MINUTE, source=FLEET_SYSTEM, note="Failed part"
            )
            lifecycle.install(
                args["spare"], parent=server, occurred_at=at + HOUR, source=FLEET_SYSTEM, note=f"Replaces {part}"
            )
            self.counts["part swaps"] += 1
        elif action.kind == SANITIZE:
            dispositions.record_sanitization(
                asset=args["serial"],
                method=args["method"],
                performed_at=at,
                performed_by=args["by"],
                verified=args["verified"],
                certificate_id=args["certificate"],
            )
            self.counts["sanitizations"] += 1
        elif action.kind == SHIP:
            self.shipments[args["shipment"]] = custody.ship(
                assets=args["serials"],
                from_site=self.sites[args["site"]],
                to_center=self.centers[args["center"]],
                shipped_at=at,
                source=STAFF,
                tracking_ref=args["tracking_ref"],
            )
            self.counts["shipments"] += 1
        elif action.kind == RECEIVE:
            custody.receive(shipment=self.shipments[args["shipment"]], received_at=at, source=STAFF)
        elif action.kind == MISSING:
            lifecycle.transition(args["serial"], to=Status.MISSING, occurred_at=at, source=STAFF, note=args["note"])
        elif action.kind == FOUND:
            lifecycle.transition(args["serial"], to=args["to"], occurred_at=at, source=STAFF, note=args["note"])
        elif action.kind == DISMANTLE:
            lifecycle.dismantle(args["serial"], occurred_at=at, source=STAFF)
            self.counts["dismantled servers"] += 1
        elif action.kind == DISPOSE:
            rows = dispositions.record_disposition(
                asset=args["serial"],
                center=self.centers[args["center"]],
                route=args["route"],
                decided_at=at,
                source=STAFF,
                to_site=self.sites[args["to_site"]] if args["to_site"] else None,
                vendor=args["vendor"],
                certificate_id=args["certificate"],
                proceeds=args["proceeds"],
                currency=args["currency"],
            )
            self.counts["dispositions"] += len(rows)
        else:  # pragma: no cover - the planner emits only the kinds above
            raise ValueError(f"unknown action kind {action.kind}")
