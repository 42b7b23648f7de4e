"""The demo fleet's whole history, planned in memory before anything is written.

Planning first and writing second keeps the generator deterministic (one
``random.Random(seed)``, drawn in a fixed order, and times relative to the ``as_of`` day)
and lets the route of every disposition be chosen knowing the whole fiscal year, so the
published FY2022 figure comes out at 82 % by units at any fleet size. ``replay`` then
performs the plan through the real services.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass, field

from circularity.periods import fiscal_year_start, to_utc
from inventory.choices import Status

from .catalog import (
    ANNUAL_FAILURE_RATE,
    BUILD_WEIGHTS,
    BUILDS,
    CENTER_OF_SITE,
    COMPONENTS,
    SERVER_MODELS,
    SITES,
    PartSpec,
    generation,
)

HISTORY_FIRST_FISCAL_YEAR = 2021
YEAR = dt.timedelta(days=365.25)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
FORTNIGHT_ORIGIN = dt.date(2020, 1, 6)  # a Monday

# Action kinds, in the order they run when they fall on the same instant.
FAIL, DECOMMISSION, SANITIZE, SHIP, MISSING, FOUND, RECEIVE, DISMANTLE, DISPOSE, REDEPLOY = range(10)


def history_start() -> dt.datetime:
    """The first instant of the demo history: the start of FY2021."""
    return to_utc(fiscal_year_start(HISTORY_FIRST_FISCAL_YEAR))


def earliest_as_of() -> dt.date:
    """The history must hold FY2021 and FY2022 whole (the published figures)."""
    return fiscal_year_start(HISTORY_FIRST_FISCAL_YEAR + 2)


@dataclass
class PlannedAsset:
    serial: str
    spec: PartSpec
    site: str
    status: str  # at creation: deployed or in_stock
    created_at: dt.datetime  # its first event: deployment, or receipt into stock
    parent: str | None = None
    asset_tag: str | None = None


@dataclass(order=True)
class Action:
    at: dt.datetime
    kind: int
    seq: int
    args: dict = field(compare=False, default_factory=dict)


@dataclass
class PlannedShipment:
    number: int
    site: str
    center: str
    shipped_at: dt.datetime
    received_at: dt.datetime | None  # None: stuck in transit
    items: list[Item] = field(default_factory=list)

    @property
    def tracking_ref(self) -> str:
        return f"TRK-{self.site}-{self.shipped_at:%y%m%d}-{self.number:05d}"


@dataclass
class Item:
    """One top-level asset that is decommissioned and goes through custody once."""

    members: list[PlannedAsset]  # the asset itself first, then what is installed in it
    site: str
    decommissioned_at: dt.datetime
    kind: str  # "tree" for a server, else the category of a lone part
    failed: bool = False
    cycle: int = 1
    shipment: PlannedShipment | None = None
    decide_at: dt.datetime | None = None

    @property
    def root(self) -> PlannedAsset:
        return self.members[0]


@dataclass
class Server:
    """The planner's working copy of one server and what is installed in it."""

    asset: PlannedAsset
    components: list[PlannedAsset]
    site: str
    fate: str  # retired, stuck, awaiting, active, stock
    deployed_at: dt.datetime
    decommission_at: dt.datetime | None = None


class Planner:
    """Draws the fleet, its field failures and its returns; ``decisions`` picks the routes."""

    def __init__(self, *, servers: int, seed: int, as_of: dt.date):
        self.rng = random.Random(seed)
        self.servers_wanted = servers
        self.start = history_start()
        self.limit = to_utc(as_of)  # nothing happens on or after the as-of day
        self.assets: list[PlannedAsset] = []
        self.actions: list[Action] = []
        self.servers: list[Server] = []
        self.items: list[Item] = []
        self.shipments: dict[tuple[str, dt.date], PlannedShipment] = {}
        self.stuck_shipments: list[PlannedShipment] = []
        self._serials: set[str] = set()
        self._seq = 0
        self._tags = 0

    # --- helpers --------------------------------------------------------------------

    def act(self, at: dt.datetime, kind: int, **args) -> None:
        self._seq += 1
        self.actions.append(Action(at, kind, self._seq, args))

    def between(self, first: dt.datetime, last: dt.datetime) -> dt.datetime:
        """A moment between two instants, to the second."""
        seconds = max(0, int((last - first).total_seconds()))
        return first + dt.timedelta(seconds=self.rng.randint(0, seconds))

    def working_hours(self, moment: dt.datetime) -> dt.datetime:
        """The same day, at a time between 08:00 and 18:00 UTC."""
        day = moment.replace(hour=8, minute=0, second=0, microsecond=0)
        return day + dt.timedelta(seconds=self.rng.randint(0, 10 * 3600))

    def serial(self, spec: PartSpec) -> str:
        alphabet = string.ascii_uppercase + string.digits
        while True:
            candidate = spec.serial_prefix + "".join(self.rng.choices(alphabet, k=spec.serial_length))
            if candidate not in self._serials:
                self._serials.add(candidate)
                return candidate

    def new_asset(self, spec, *, site, status, created_at, parent=None, tagged=False) -> PlannedAsset:
        tag = None
        if tagged:
            self._tags += 1
            tag = f"AL-{self._tags:07d}"
        asset = PlannedAsset(self.serial(spec), spec, site, status, created_at, parent, tag)
        self.assets.append(asset)
        return asset

    # --- the fleet ------------------------------------------------------------------

    def plan_fleet(self) -> None:
        n = self.servers_wanted
        counts = {
            "stuck": max(1, round(n * 0.003)),  # shipped, not received after 14 days
            "awaiting": max(1, round(n * 0.004)),  # decommissioned days ago, not shipped yet
            "stock": max(1, round(n * 0.015)),
            "retired": round(n * 0.38),
        }
        counts["active"] = n - sum(counts.values())
        fates = [fate for fate, count in counts.items() for _ in range(count)]
        self.rng.shuffle(fates)
        # Retirements are spread evenly over the history (stratified), so every fiscal
        # year has its share even in a small fleet.
        first, last = self.start + 14 * DAY, self.limit - 2 * DAY
        span = last - first
        slots = [first + span * ((k + self.rng.random()) / counts["retired"]) for k in range(counts["retired"])]
        self.rng.shuffle(slots)
        sites = [site.code for site in SITES]
        weights = [site.weight for site in SITES]
        for fate in fates:
            site = self.rng.choices(sites, weights)[0]
            decommission_at = None
            if fate == "retired":
                decommission_at = self.working_hours(slots.pop())
                deployed_at = decommission_at - YEAR * self.rng.uniform(3.5, 6.5)
            elif fate == "stuck":
                decommission_at = self.working_hours(self.limit - DAY * self.rng.uniform(20, 40))
                deployed_at = decommission_at - YEAR * self.rng.uniform(1.5, 5.0)
            elif fate == "awaiting":
                decommission_at = self.working_hours(self.limit - DAY * self.rng.uniform(1, 8))
                deployed_at = decommission_at - YEAR * self.rng.uniform(3.0, 6.0)
            elif fate == "active":
                deployed_at = self.between(self.limit - 6 * YEAR, self.limit - 10 * DAY)
            else:
                deployed_at = self.between(self.limit - 45 * DAY, self.limit - 3 * DAY)
            self.servers.append(self._build_server(fate, site, self.working_hours(deployed_at), decommission_at))

    def _build_server(self, fate, site, deployed_at, decommission_at) -> Server:
        gen = generation(deployed_at.date())
        kind = self.rng.choices(list(BUILD_WEIGHTS), list(BUILD_WEIGHTS.values()))[0]
        status = Status.IN_STOCK if fate == "stock" else Status.DEPLOYED
        root = self.new_asset(
            self.rng.choice(SERVER_MODELS[gen][kind]), site=site, status=status, created_at=deployed_at, tagged=True
        )
        components = []
        for category, count in BUILDS[kind].items():
            spec = self.rng.choice(COMPONENTS[gen][category])
            for _ in range(count):
                components.append(
                    self.new_asset(spec, site=site, status=status, created_at=deployed_at, parent=root.serial)
                )
        return Server(root, components, site, fate, deployed_at, decommission_at)

    # --- field failures -------------------------------------------------------------

    def plan_failures(self) -> None:
        """Drives, PSUs and DIMMs fail in service: swapped for a spare, sent for recycling."""
        for server in self.servers:
            if server.fate == "stock":
                continue
            first = max(server.deployed_at, self.start)
            last = (server.decommission_at - 2 * DAY) if server.decommission_at else (self.limit - DAY)
            if last <= first:
                continue
            years = (last - first) / YEAR
            for index, part in enumerate(list(server.components)):
                rate = ANNUAL_FAILURE_RATE.get(part.spec.category)
                if rate is None or self.rng.random() >= rate * years:
                    continue
                failed_at = self.working_hours(self.between(first, last))
                if failed_at + 2 * HOUR >= self.limit:
                    continue
                spare = self.new_asset(
                    part.spec,
                    site=server.site,
                    status=Status.IN_STOCK,
                    created_at=failed_at - DAY * self.rng.uniform(7, 60),
                )
                server.components[index] = spare
                self.act(failed_at, FAIL, part=part.serial, server=server.asset.serial, spare=spare.serial)
                self.add_item(
                    Item([part], server.site, failed_at + 30 * MINUTE, part.spec.category, failed=True),
                )

    # --- retirements and custody ----------------------------------------------------

    def plan_retirements(self) -> None:
        for server in self.servers:
            if server.decommission_at is None:
                continue
            if server.fate == "awaiting":  # waits at its site for the next truck
                self.act(server.decommission_at, DECOMMISSION, retire=[(server.asset.serial, server.decommission_at)])
                continue
            item = Item([server.asset, *server.components], server.site, server.decommission_at, "tree")
            self.add_item(item, stuck=server.fate == "stuck")

    def add_item(self, item: Item, *, stuck: bool = False) -> None:
        """Put a decommissioned item on its site's weekly shipment to the campus center."""
        self.items.append(item)
        # Each site sends a truck to its campus center every other week.
        day = item.decommissioned_at.date()
        fortnight = day - dt.timedelta(days=(day - FORTNIGHT_ORIGIN).days % 14)
        if stuck:
            shipment = self._new_shipment(item.site, item.decommissioned_at + DAY * self.rng.uniform(1, 3), stuck=True)
            self.stuck_shipments.append(shipment)
        else:
            key = (item.site, fortnight)
            if key not in self.shipments:
                # Shipped Tuesday to Friday of the week after the fortnight.
                self.shipments[key] = self._new_shipment(
                    item.site, to_utc(fortnight) + DAY * (15 + self.rng.uniform(0, 3)), stuck=False
                )
            shipment = self.shipments[key]
        shipment.items.append(item)
        item.shipment = shipment
        if shipment.received_at is not None:
            item.decide_at = self.working_hours(shipment.received_at + DAY * self.rng.uniform(2, 21))

    def _new_shipment(self, site: str, day: dt.datetime, *, stuck: bool) -> PlannedShipment:
        shipped_at = self.working_hours(day)
        received_at = None if stuck else self.working_hours(shipped_at + DAY * self.rng.uniform(1, 5))
        number = len(self.shipments) + len(self.stuck_shipments) + 1
        return PlannedShipment(number, site, CENTER_OF_SITE[site], shipped_at, received_at)

    def plan_custody(self) -> None:
        """Ship and receive every shipment that happened before the as-of day."""
        for shipment in [*self.shipments.values(), *self.stuck_shipments]:
            # The servers of one truckload are retired in one batch, each at its own time.
            retire = [(item.root.serial, item.decommissioned_at) for item in shipment.items if item.kind == "tree"]
            if retire:
                self.act(max(at for _, at in retire), DECOMMISSION, retire=retire)
            if shipment.shipped_at >= self.limit:
                continue
            serials = [item.root.serial for item in shipment.items]
            self.act(
                shipment.shipped_at, SHIP, shipment=shipment.number, serials=serials, site=shipment.site,
                center=shipment.center, tracking_ref=shipment.tracking_ref,
            )  # fmt: skip
            if shipment.received_at is not None and shipment.received_at < self.limit:
                self.act(shipment.received_at, RECEIVE, shipment=shipment.number)

    def plan_losses(self) -> None:
        """A few assets go missing: one found again on the truck, one lost in transit, spares."""
        received = sorted(
            (s for s in self.shipments.values() if s.received_at is not None and s.received_at < self.limit),
            key=lambda s: s.number,
        )
        if received:
            found = self.rng.choice(received)
            serial = found.items[0].root.serial
            self.act(found.shipped_at + 2 * HOUR, MISSING, serial=serial, note="Missed at the loading dock")
            self.act(found.shipped_at + 4 * HOUR, FOUND, serial=serial, to=Status.IN_TRANSIT, note="Found on the truck")
        several = [s for s in received if len(s.items) >= 2]
        if several:
            lost = self.rng.choice(several)
            item = lost.items[-1]  # never the one found again above
            self.items.remove(item)  # shipped, never received: no disposition
            self.act(lost.shipped_at + 6 * HOUR, MISSING, serial=item.root.serial, note="Not on the truck at arrival")
        spec = COMPONENTS[generation(self.limit.date())]["ssd"][0]
        for _ in range(max(2, self.servers_wanted // 2000)):
            site = self.rng.choice(SITES).code
            spare = self.new_asset(
                spec, site=site, status=Status.IN_STOCK, created_at=self.limit - DAY * self.rng.uniform(200, 400)
            )
            self.act(
                self.working_hours(self.limit - DAY * self.rng.uniform(5, 60)),
                MISSING,
                serial=spare.serial,
                note="Not found at the spares inventory count",
            )
