"""What the circular centers decide for each returned item, one fiscal year at a time.

Within each month of a fiscal year, the items decided in it are split into *decisions*: a whole server
(one disposition applied to its tree, every asset counted) or, for a dismantled server,
one decision per harvested part and one for the emptied chassis. The decisions to divert
(reuse, resale, recycle) are drawn in a random order weighted by how readily each kind of
part is scrapped, until the diverted units fill the year's share (``catalog.diverted_share``);
a month too coarse to get within half a point has more servers dismantled. Years are taken
in order because a server reused in one year can be retired again in a later one.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from decimal import Decimal

from circularity.choices import Route
from circularity.periods import fiscal_year_of
from inventory.choices import default_data_bearing

from .catalog import (
    CAMPUS_SITES,
    DISPOSAL_PROPENSITY,
    DISPOSAL_ROUTES,
    DISPOSAL_VENDORS,
    DIVERTED_ROUTES,
    FAILED_PART_ROUTES,
    RECYCLING_VENDORS,
    RESALE_VENDORS,
    SANITIZERS,
    diverted_share,
)
from .plan import (
    DAY,
    DISMANTLE,
    DISPOSE,
    HOUR,
    MINUTE,
    REDEPLOY,
    SANITIZE,
    YEAR,
    Item,
    PlannedAsset,
    Planner,
)

TOLERANCE = 0.005
DISMANTLE_SHARE = 0.06
SITE_SANITIZATION_SHARE = 0.5
FAILED_VERIFICATION_SHARE = 0.03
SECOND_LIFE_SHARE = 0.30


@dataclass
class Decision:
    item: Item
    assets: list[PlannedAsset]
    kind: str  # "tree", "chassis", or a category
    diverted: bool = False
    route: str = ""

    @property
    def size(self) -> int:
        return len(self.assets)


# The currency each center's buyers pay in: value recovered is reported per currency.
CENTER_CURRENCY = {"AMS-CC": "EUR", "DUB-CC": "EUR", "IAD-CC": "USD", "SIN-CC": "SGD", "SYD-CC": "AUD"}
# Illustrative resale prices per kind of part (low, high), in the center's currency.
RESALE_PRICES = {"server": (180, 1400), "gpu": (300, 2500), "cpu": (40, 400), "memory": (8, 60)}


def resale_price(asset, center: str) -> tuple[Decimal, str]:
    """What a buyer paid for a resold asset (its whole tree): drawn from its serial number,
    not from the planner's random stream, so that prices leave the planned history as it was."""
    low, high = RESALE_PRICES.get(asset.spec.category, (5, 120))
    cents = low * 100 + zlib.crc32(asset.serial.encode()) % ((high - low) * 100)
    return Decimal(cents) / 100, CENTER_CURRENCY[center]


class DecisionPlanner:
    def __init__(self, planner: Planner):
        self.p = planner
        self.rng = planner.rng
        self.certificates = 0

    def plan(self) -> None:
        first = fiscal_year_of(self.p.start)
        last = fiscal_year_of(self.p.limit - dt.timedelta(seconds=1))
        for fiscal_year in range(first, last + 1):
            # planner.items grows while years are decided (servers back for a second life).
            items = [
                item
                for item in self.p.items
                if item.decide_at is not None
                and item.decide_at < self.p.limit
                and fiscal_year_of(item.decide_at) == fiscal_year
            ]
            self.decide_year(items, diverted_share(fiscal_year))
        for item in self.p.items:
            if item.decide_at is None or item.decide_at >= self.p.limit:
                self.sanitize_pending(item)

    def decide_year(self, items: list[Item], share: float) -> None:
        """Each month of the year is filled to the year's share on its own, so the monthly
        line reads like the year (a year filled as a whole swung between 55 % and 100 % from
        month to month, each month holding a few whole servers diverted or not)."""
        months: dict[tuple[int, int], list[Item]] = {}
        for item in items:
            months.setdefault((item.decide_at.year, item.decide_at.month), []).append(item)
        for key in sorted(months):
            self.decide_month(months[key], share)

    def decide_month(self, items: list[Item], share: float) -> None:
        dismantled = {id(item) for item in items if item.kind == "tree" and self.rng.random() < DISMANTLE_SHARE}
        while True:
            decisions = [d for item in items for d in self.decisions_of(item, id(item) in dismantled)]
            achieved = self.fill(decisions, share)
            whole = [item for item in items if item.kind == "tree" and id(item) not in dismantled]
            if abs(achieved - share) <= TOLERANCE or not whole:
                break
            dismantled.add(id(self.rng.choice(whole)))
        for decision in decisions:
            decision.route = self.route(decision)
        by_item: dict[int, list[Decision]] = {}
        for decision in decisions:
            by_item.setdefault(id(decision.item), []).append(decision)
        for item in items:
            self.emit(item, by_item[id(item)], dismantled=id(item) in dismantled)

    def decisions_of(self, item: Item, dismantled: bool) -> list[Decision]:
        if item.kind != "tree":
            return [Decision(item, [item.root], item.kind)]
        if not dismantled:
            return [Decision(item, list(item.members), "tree")]
        chassis = Decision(item, [item.root], "chassis")
        return [chassis, *(Decision(item, [part], part.spec.category) for part in item.members[1:])]

    def fill(self, decisions: list[Decision], share: float) -> float:
        """Mark decisions diverted until their units reach ``share`` of the year's units."""
        total = sum(d.size for d in decisions)
        capacity = round(share * total)
        order = sorted(decisions, key=lambda d: self.rng.random() ** DISPOSAL_PROPENSITY.get(d.kind, 1.0), reverse=True)
        filled = 0
        for decision in order:
            decision.diverted = filled + decision.size <= capacity
            filled += decision.size if decision.diverted else 0
        for decision in order:  # close a gap left by a skipped large decision with single parts
            if filled < capacity and not decision.diverted and decision.size == 1:
                decision.diverted = True
                filled += 1
        return filled / total

    def route(self, decision: Decision) -> str:
        if not decision.diverted:
            weights = DISPOSAL_ROUTES
        elif decision.item.failed:
            weights = FAILED_PART_ROUTES
        else:
            weights = DIVERTED_ROUTES[decision.kind]
        return self.rng.choices(list(weights), list(weights.values()))[0]

    # --- actions --------------------------------------------------------------------

    def emit(self, item: Item, decisions: list[Decision], *, dismantled: bool) -> None:
        center = item.shipment.center
        decide_at = item.decide_at
        if not dismantled:
            (decision,) = decisions
            for asset in item.members:
                if default_data_bearing(asset.spec.category):
                    # A failed drive cannot be wiped: it is shredded.
                    self.sanitize(item, asset, decision.route, destroy_ok=item.failed)
            self.dispose(decision, decide_at, center)
            return
        self.p.act(decide_at, DISMANTLE, serial=item.root.serial)
        for decision in decisions:
            asset = decision.assets[0]
            if default_data_bearing(asset.spec.category):
                self.sanitize(item, asset, decision.route, destroy_ok=True, after_dismantling=True)
        for index, decision in enumerate(decisions):
            self.dispose(decision, decide_at + 2 * HOUR + index * MINUTE, center)

    def sanitize(self, item, asset, route, *, destroy_ok, after_dismantling=False) -> None:
        """A verified certificate that lets ``route`` through the gate, at the site or the center."""
        if self.rng.random() < SITE_SANITIZATION_SHARE and not item.failed:
            method, by = "purge", SANITIZERS[1]
            performed_at = item.decommissioned_at + HOUR * self.rng.uniform(1, 20)
        else:
            by = self.rng.choice((SANITIZERS[0], SANITIZERS[2]))
            if route == Route.REUSE:
                method = "clear" if self.rng.random() < 0.7 else "purge"
            elif route == Route.RESALE or not destroy_ok:
                method = "purge"
            else:
                method = "destroy"
            if after_dismantling:
                performed_at = item.decide_at + MINUTE * self.rng.uniform(5, 100)
            else:
                performed_at = self.p.between(item.shipment.received_at + 3 * HOUR, item.decide_at - 30 * MINUTE)
        self.certificate(asset, method, performed_at, by)

    def sanitize_pending(self, item: Item) -> None:
        """Items not decided by the as-of day: some drives were already purged at the site."""
        if item.failed or self.rng.random() >= SITE_SANITIZATION_SHARE:
            return
        for asset in item.members:
            performed_at = item.decommissioned_at + HOUR * self.rng.uniform(1, 20)
            if default_data_bearing(asset.spec.category) and performed_at < self.p.limit:
                self.certificate(asset, "purge", performed_at, SANITIZERS[1])

    def certificate(self, asset, method, performed_at, by) -> None:
        performed_at = performed_at.replace(microsecond=0)
        if self.rng.random() < FAILED_VERIFICATION_SHARE:
            # Verification failed; the technician ran it again.
            self.p.act(
                performed_at - 5 * MINUTE, SANITIZE, serial=asset.serial, method=method, by=by, verified=False,
                certificate="",
            )  # fmt: skip
        self.certificates += 1
        self.p.act(
            performed_at, SANITIZE, serial=asset.serial, method=method, by=by, verified=True,
            certificate=f"SAN-{performed_at:%Y}-{self.certificates:07d}",
        )  # fmt: skip

    def dispose(self, decision: Decision, decided_at: dt.datetime, center: str) -> None:
        route, item = decision.route, decision.item
        to_site = self.rng.choice(CAMPUS_SITES[center]) if route == Route.REUSE else None
        vendor, certificate = "", ""
        self.certificates += 1
        if route == Route.RESALE:
            vendor, certificate = self.rng.choice(RESALE_VENDORS), f"RS-{decided_at:%Y}-{self.certificates:07d}"
        elif route == Route.RECYCLE:
            vendor, certificate = self.rng.choice(RECYCLING_VENDORS), f"RC-{decided_at:%Y}-{self.certificates:07d}"
        elif route != Route.REUSE:
            vendor, certificate = self.rng.choice(DISPOSAL_VENDORS), f"WD-{decided_at:%Y}-{self.certificates:07d}"
        proceeds, currency = resale_price(decision.assets[0], center) if route == Route.RESALE else (None, "")
        self.p.act(
            decided_at, DISPOSE, serial=decision.assets[0].serial, center=center, route=route, to_site=to_site,
            vendor=vendor, certificate=certificate, proceeds=proceeds, currency=currency,
        )  # fmt: skip
        if route == Route.REUSE and decision.kind == "tree":
            self.second_life(item, to_site, decided_at)

    def second_life(self, item: Item, site: str, reused_at: dt.datetime) -> None:
        """A reused server is redeployed on its campus; some are retired again later."""
        redeployed_at = self.p.working_hours(reused_at + DAY * self.rng.uniform(14, 60))
        if redeployed_at >= self.p.limit:
            return
        self.p.act(redeployed_at, REDEPLOY, serial=item.root.serial)
        if self.rng.random() >= SECOND_LIFE_SHARE:
            return
        retired_at = self.p.working_hours(redeployed_at + YEAR * self.rng.uniform(1.0, 2.5))
        if retired_at >= self.p.limit - 2 * DAY:
            return
        self.p.add_item(Item(list(item.members), site, retired_at, "tree", cycle=item.cycle + 1))
